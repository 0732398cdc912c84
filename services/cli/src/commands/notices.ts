import type { Command } from 'commander';
import {
  noticesAdd,
  noticesDelete,
  noticesList,
  noticesLog,
  noticesShow,
  noticesTest,
  noticesUpdate,
  type NoticeAction,
  type NoticeDelivery,
  type NoticeRule,
  type NoticeScope,
} from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';

/** The options that fill each notices.* request field, for error messages. */
const noticeOptions = {
  name: 'NAME',
  trigger: '--on',
  scope: '--users/--folder-set/--path',
  action: '--webhook/--email',
  batchSeconds: '--batch',
  newName: '--rename',
} as const;

interface RuleOptions {
  on?: string;
  webhook?: string;
  secret?: string;
  email?: string[];
  users?: string;
  folderSet?: string;
  path?: string;
  allUsers?: boolean;
  batch?: number | null;
}

const collect = (value: string, all: string[] = []) => [...all, value];

/** "60s", "5m", "1h", "none" or plain seconds. */
function parseBatch(text: string): number | null {
  if (text === 'none' || text === 'off') return null;
  const m = /^(\d+)([smh]?)$/.exec(text);
  if (!m) throw new CliFailure(`--batch ${text}: a window such as 60s, 5m or 1h`, exitCodes.usage);
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as Record<string, number>)[m[2]!]!;
}

function scopeOf(o: RuleOptions): NoticeScope | undefined {
  const given = [o.users, o.folderSet, o.path, o.allUsers].filter((v) => v !== undefined);
  if (given.length > 1)
    throw new CliFailure(
      'one scope at a time: --users, --folder-set, --path or --all-users',
      exitCodes.usage,
    );
  if (o.users) return { kind: 'users', users: o.users.split(',').filter(Boolean) };
  if (o.folderSet) return { kind: 'folder-set', folderSet: o.folderSet };
  if (o.path) return { kind: 'path', glob: o.path };
  if (o.allUsers) return { kind: 'all' };
  return undefined;
}

function actionOf(o: RuleOptions): NoticeAction | undefined {
  if (o.webhook && o.email)
    throw new CliFailure('a notice is a --webhook or an --email, not both', exitCodes.usage);
  if (o.webhook) {
    if (!o.secret)
      throw new CliFailure('--webhook needs --secret (the key receivers check)', exitCodes.usage);
    return { kind: 'webhook', url: o.webhook, secret: o.secret };
  }
  if (o.email) return { kind: 'email', to: o.email };
  return undefined;
}

/** The options `add` and `update` share. */
function ruleOptions(command: Command): Command {
  return command
    .option(
      '--on <trigger>',
      'uploaded, downloaded, deleted, renamed, folder-created, login-failed',
    )
    .option('--webhook <url>', 'POST each message to this https:// URL (http:// with a warning)')
    .option('--secret <secret>', 'the webhook signing key (Tessera-Signature)')
    .option('--email <address>', 'mail each message to this address (repeatable)', collect)
    .option('--users <names>', 'only these users (comma-separated)')
    .option('--folder-set <name>', 'only members of this folder set')
    .option('--path <glob>', 'only paths matching this glob: /in/** or /in/*.csv')
    .option('--all-users', 'every user (the default)')
    .option('--batch <window>', 'gather a window (60s, 5m, 1h; none) into one message', parseBatch);
}

export function registerNoticesCommands(program: Command, ctx: CliContext): void {
  const notices = program
    .command('notices')
    .description('event notices: webhooks and e-mail when files arrive, leave or change');

  ruleOptions(notices.command('add <name>').description('add a notice')).action(
    async (name: string, o: RuleOptions) => {
      const action = actionOf(o);
      if (!o.on || !action)
        throw new CliFailure('add needs --on and a --webhook or --email', exitCodes.usage);
      const { notice } = await ctx.call(
        noticesAdd,
        {
          name,
          trigger: o.on as NoticeRule['trigger'],
          scope: scopeOf(o),
          action,
          batchSeconds: o.batch ?? null,
        },
        noticeOptions,
      );
      if (notice.action.kind === 'webhook' && notice.action.url.startsWith('http:'))
        ctx.warn('the webhook URL is plain http://: messages travel unencrypted');
      ctx.result(notice, () => `added notice ${notice.name}\n${describe(notice)}`);
    },
  );

  ruleOptions(notices.command('update <name>').description('change a notice'))
    .option('--rename <new-name>', 'a new name')
    .option('--enable', 'send again')
    .option('--disable', 'stop sending (the notice is kept)')
    .action(
      async (
        name: string,
        o: RuleOptions & { rename?: string; enable?: boolean; disable?: boolean },
      ) => {
        const { notice } = await ctx.call(
          noticesUpdate,
          {
            name,
            newName: o.rename,
            trigger: o.on as NoticeRule['trigger'] | undefined,
            scope: scopeOf(o),
            action: actionOf(o),
            batchSeconds: o.batch,
            enabled: o.enable ? true : o.disable ? false : undefined,
          },
          noticeOptions,
        );
        ctx.result(notice, () => `updated notice ${notice.name}\n${describe(notice)}`);
      },
    );

  notices
    .command('list')
    .description('every notice')
    .action(async () => {
      const { notices: all } = await ctx.call(noticesList, {});
      ctx.result(all, () =>
        all.length
          ? table(
              ['NAME', 'ON', 'SCOPE', 'SENDS TO', 'BATCH', 'ENABLED'],
              all.map((n) => [
                n.name,
                n.trigger,
                scopeText(n.scope),
                target(n),
                n.batchSeconds ? `${n.batchSeconds}s` : '-',
                n.enabled ? 'yes' : 'no',
              ]),
            )
          : 'no notices',
      );
    });

  notices
    .command('show <name>')
    .description('one notice')
    .action(async (name: string) => {
      const { notice } = await ctx.call(noticesShow, { name }, noticeOptions);
      ctx.result(notice, () => describe(notice));
    });

  notices
    .command('delete <name>')
    .description('delete a notice and its delivery log')
    .action(async (name: string) => {
      await ctx.call(noticesDelete, { name }, noticeOptions);
      ctx.result({ name, deleted: true }, () => `deleted notice ${name}`);
    });

  notices
    .command('test <name>')
    .description('send a sample event through this notice now (see it in `notices log`)')
    .action(async (name: string) => {
      const { delivery } = await ctx.call(noticesTest, { name }, noticeOptions);
      ctx.result(delivery, () => `queued test delivery ${delivery.id} for ${name}`);
    });

  notices
    .command('log <name>')
    .description('the latest deliveries of a notice: queued, delivered or failed, and why')
    .option('--limit <n>', 'how many (newest first)', (v) => Number(v), 50)
    .action(async (name: string, o: { limit: number }) => {
      const { deliveries } = await ctx.call(noticesLog, { name, limit: o.limit }, noticeOptions);
      ctx.result(deliveries, () =>
        deliveries.length ? logTable(deliveries) : 'no deliveries yet',
      );
    });
}

function scopeText(scope: NoticeScope): string {
  switch (scope.kind) {
    case 'all':
      return 'all users';
    case 'users':
      return `users ${scope.users.join(',')}`;
    case 'folder-set':
      return `folder set ${scope.folderSet}`;
    case 'path':
      return `path ${scope.glob}`;
  }
}

function target(n: NoticeRule): string {
  return n.action.kind === 'webhook' ? n.action.url : n.action.to.join(',');
}

function describe(n: NoticeRule): string {
  const lines: [string, string][] = [
    ['notice', `${n.name}${n.enabled ? '' : ' (disabled)'}`],
    ['on', n.trigger],
    ['scope', scopeText(n.scope)],
    [n.action.kind === 'webhook' ? 'webhook' : 'e-mail', target(n)],
    ['batch', n.batchSeconds ? `${n.batchSeconds}s` : 'none (each event alone)'],
  ];
  return lines.map(([key, value]) => `${key.padEnd(9)}${value}`).join('\n');
}

function logTable(deliveries: NoticeDelivery[]): string {
  return table(
    ['WHEN', 'STATUS', 'ATTEMPTS', 'LATENCY', 'FILES', 'LAST ERROR'],
    deliveries.map((d) => [
      d.createdAt,
      d.test ? `${d.status} (test)` : d.status,
      String(d.attempts),
      d.latencyMs === null ? '-' : `${d.latencyMs} ms`,
      d.items.length > 3
        ? `${d.items.slice(0, 3).join(', ')} +${d.items.length - 3}`
        : d.items.join(', '),
      d.lastError ?? '-',
    ]),
  );
}
