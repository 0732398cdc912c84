import type { Command } from 'commander';
import {
  byteSizeMessage,
  formatBytes,
  parseByteSize,
  privilegeNames,
  usersCreate,
  usersDelete,
  usersGet,
  usersList,
  usersPasswordSet,
  usersPrivilegesEffective,
  usersUnlock,
  usersUpdate,
  type LoginLock,
  type Privilege,
  type UserProfile,
} from '@tessera/contracts';
import { CliFailure, exitCodes, operator, table, type CliContext } from '../cli-context';
import { readStdin } from '../stdin';

/** "list,download,upload" → checked privilege names; the error names the option and the valid ones. */
export function parsePrivileges(text: string, option = '--privileges'): Privilege[] {
  const names = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(privilegeNames as readonly string[]).includes(n));
  if (unknown.length) {
    throw new CliFailure(
      `${option}: unknown privilege ${unknown.join(', ')}; choose from ${privilegeNames.join(', ')}`,
      exitCodes.usage,
    );
  }
  return names as Privilege[];
}

/**
 * "10G" → bytes; "none" stays 'none' (commander turns a parser's null into ''), read by
 * `quotaChange`. The error names the option and the form.
 */
export function parseQuota(text: string): number | 'none' {
  if (text.trim().toLowerCase() === 'none') return 'none';
  const bytes = parseByteSize(text);
  if (bytes === null || bytes < 1 || bytes > Number.MAX_SAFE_INTEGER) {
    throw new CliFailure(`--quota: expected ${byteSizeMessage}, or none`, exitCodes.usage);
  }
  return bytes;
}

/** The quotaBytes field of a request for a parsed --quota: none → null, absent → nothing. */
function quotaChange(quota: number | 'none' | undefined): { quotaBytes?: number | null } {
  if (quota === undefined) return {};
  return { quotaBytes: quota === 'none' ? null : quota };
}

export function describeUser(u: UserProfile): string {
  return [
    `user         ${u.username}${u.admin ? ' (administrator)' : ''}`,
    `enabled      ${u.enabled ? 'yes' : 'no'}`,
    `home folder  ${u.homeFolder}`,
    `privileges   ${u.privileges.join(', ') || '(none)'}`,
    `quota        ${u.quotaBytes === null ? 'none' : formatBytes(u.quotaBytes)}`,
    `folder set   ${u.folderSet?.name ?? '(none)'}`,
    `login        ${u.passwordLoginDisabled ? 'public key only' : u.hasPassword ? 'password or public key' : 'public key (no password set)'}`,
    `public keys  ${u.publicKeyCount}`,
    `created      ${u.createdAt}`,
    `last login   ${u.lastLoginAt ?? 'never'}`,
  ].join('\n');
}

/** The options that fill each users.* request field, for messages in the operator's words. */
const userOptions = {
  username: 'NAME',
  homeFolder: '--home',
  privileges: '--privileges',
  password: '--password',
  folderSet: '--folder-set',
  path: 'PATH',
} as const;

/** Whether an update would change anything (privileges compare as sets, as they apply). */
function changes(
  u: UserProfile,
  c: Partial<
    Pick<
      UserProfile,
      'homeFolder' | 'privileges' | 'passwordLoginDisabled' | 'admin' | 'quotaBytes'
    >
  >,
): boolean {
  const samePrivileges =
    !c.privileges ||
    (c.privileges.every((p) => u.privileges.includes(p)) &&
      u.privileges.every((p) => c.privileges!.includes(p)));
  return (
    !samePrivileges ||
    (c.homeFolder !== undefined && c.homeFolder !== u.homeFolder) ||
    (c.passwordLoginDisabled !== undefined &&
      c.passwordLoginDisabled !== u.passwordLoginDisabled) ||
    (c.admin !== undefined && c.admin !== u.admin) ||
    (c.quotaBytes !== undefined && c.quotaBytes !== u.quotaBytes)
  );
}

/** Who can log in: a key, or a password that is allowed. */
function loginHint(u: UserProfile): string | undefined {
  if (u.publicKeyCount > 0 || (u.hasPassword && !u.passwordLoginDisabled)) return undefined;
  const key = `a key (tessera keys add ${u.username} FILE.pub)`;
  return u.passwordLoginDisabled
    ? `${u.username} cannot log in until you give them ${key}: the account is key-only`
    : `${u.username} cannot log in until you give them a password (tessera users passwd ${u.username}) or ${key}`;
}

/** Whose passwords a lock stops, in the operator's words. */
function lockedWho(lock: LoginLock): string {
  if (!lock.username) return `address ${lock.address}`;
  return lock.address ? `${lock.username} from ${lock.address}` : lock.username;
}

/** The `locked` lines of `users show`: from where, until when, and how to lift each sooner. */
export function describeLocks(username: string, locks: LoginLock[]): string {
  if (!locks.length) return 'locked       no';
  return locks
    .map((lock) => {
      const unlock = `tessera users unlock ${username}${lock.address ? ` --address ${lock.address}` : ''}`;
      return `locked       passwords from ${lock.address || 'an unreported address'} until ${lock.until} (too many failed logins; keys still log in; \`${unlock}\` lifts it)`;
    })
    .join('\n');
}

async function passwordFrom(opts: {
  password?: string;
  passwordStdin?: boolean;
}): Promise<string | undefined> {
  if (opts.password && opts.passwordStdin)
    throw new CliFailure('give --password or --password-stdin, not both', exitCodes.usage);
  return opts.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : opts.password;
}

export function registerUserCommands(program: Command, ctx: CliContext): void {
  const users = program
    .command('users')
    .description('user accounts: add, list, show, change, remove');

  users
    .command('add <name>')
    .description('create a user whose files live in a home folder under the storage root')
    .requiredOption(
      '--home <dir>',
      'home folder, relative to the storage root (e.g. customers/acme)',
    )
    .option(
      '--password <password>',
      'set this password (visible in shell history: prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the password from standard input')
    .option('--generate-password', 'make a long random password and print it once')
    .option(
      '--privileges <list>',
      `comma-separated: ${privilegeNames.join(',')} (default: all)`,
      (text: string) => parsePrivileges(text),
    )
    .option('--key-only', 'public-key logins only: no password ever logs this user in')
    .option('--folder-set <name>', 'apply this folder set')
    .option(
      '--quota <size>',
      'the most the home folder may hold, e.g. 10G (default: none)',
      parseQuota,
    )
    .option('--admin', 'an administrator of the admin console')
    .option('--disabled', 'create the account disabled')
    .action(async (name: string, o) => {
      const password = await passwordFrom(o);
      if (password && o.generatePassword)
        throw new CliFailure(
          'give --password (or --password-stdin) or --generate-password, not both',
          exitCodes.usage,
        );
      const { user, generatedPassword } = await ctx.call(
        usersCreate,
        {
          username: name,
          homeFolder: o.home,
          ...(password ? { password } : {}),
          generatePassword: Boolean(o.generatePassword),
          ...(o.privileges ? { privileges: o.privileges } : {}),
          passwordLoginDisabled: Boolean(o.keyOnly),
          ...(o.folderSet ? { folderSet: o.folderSet } : {}),
          ...quotaChange(o.quota),
          admin: Boolean(o.admin),
          enabled: !o.disabled,
        },
        userOptions,
      );
      const cannotLogIn = loginHint(user);
      if (cannotLogIn) ctx.warn(cannotLogIn);
      ctx.result({ user, generatedPassword }, () =>
        [
          `created user ${user.username} (home folder ${user.homeFolder})`,
          generatedPassword ? `password: ${generatedPassword}` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
    });

  users
    .command('list')
    .description('every user, one line each')
    .action(async () => {
      const { users: all } = await ctx.call(usersList, {});
      ctx.result(all, () =>
        table(
          ['USER', 'ENABLED', 'HOME', 'PRIVILEGES', 'FOLDER SET', 'KEYS', 'LAST LOGIN'],
          all.map((u) => [
            u.username + (u.admin ? ' *' : ''),
            u.enabled ? 'yes' : 'no',
            u.homeFolder,
            u.privileges.join(','),
            u.folderSet?.name ?? '-',
            String(u.publicKeyCount),
            u.lastLoginAt ?? 'never',
          ]),
        ),
      );
    });

  users
    .command('show <name>')
    .description("one user's settings")
    .action(async (name: string) => {
      const { user, locks } = await ctx.call(usersGet, { username: name }, userOptions);
      ctx.result({ ...user, locks }, () => `${describeUser(user)}\n${describeLocks(name, locks)}`);
    });

  users
    .command('unlock [name]')
    .description(
      'lift the password locks failed logins put on a user (from every address), on an IP address with --address (and every name tried from it), or on one user from one address with both; reset their counts',
    )
    .option('--address <ip>', 'the client address whose locks to lift')
    .action(async (name: string | undefined, o: { address?: string }) => {
      if (!name && !o.address)
        throw new CliFailure('give a user name, --address IP, or both', exitCodes.usage);
      const target = {
        ...(name ? { username: name } : {}),
        ...(o.address ? { address: o.address } : {}),
      };
      const { lifted } = await ctx.call(
        usersUnlock,
        { ...target, requestedBy: operator() },
        { username: 'NAME', address: '--address' },
      );
      const who = [name, o.address && `address ${o.address}`].filter(Boolean).join(' from ');
      ctx.result({ ...target, lifted }, () =>
        lifted.length
          ? lifted
              .map(
                (l) => `lifted the lock on ${lockedWho(l)} (it would have held until ${l.until})`,
              )
              .join('\n')
          : `${who} was not locked; its failed-login count is reset`,
      );
    });

  users
    .command('update <name>')
    .description("change a user's home folder, privileges, quota or login methods")
    .option('--home <dir>', 'new home folder (files are not moved)')
    .option('--privileges <list>', 'replace the privileges', (text: string) =>
      parsePrivileges(text),
    )
    .option('--key-only', 'public-key logins only')
    .option('--allow-password', 'allow password logins again')
    .option(
      '--quota <size>',
      'the most the home folder may hold, e.g. 10G; none removes it',
      parseQuota,
    )
    .option('--admin', 'make an administrator')
    .option('--no-admin', 'no longer an administrator')
    .action(async (name: string, o) => {
      if (o.keyOnly && o.allowPassword)
        throw new CliFailure('give --key-only or --allow-password, not both', exitCodes.usage);
      const change = {
        ...(o.home ? { homeFolder: o.home as string } : {}),
        ...(o.privileges ? { privileges: o.privileges as Privilege[] } : {}),
        ...(o.keyOnly
          ? { passwordLoginDisabled: true }
          : o.allowPassword
            ? { passwordLoginDisabled: false }
            : {}),
        // With both --admin and --no-admin defined, commander leaves `admin` unset unless one is given.
        ...(o.admin !== undefined ? { admin: Boolean(o.admin) } : {}),
        ...quotaChange(o.quota),
      };
      if (!Object.keys(change).length)
        throw new CliFailure(
          'nothing to change: give --home, --privileges, --quota, --key-only, --allow-password, --admin or --no-admin',
          exitCodes.usage,
        );
      const { user: before } = await ctx.call(usersGet, { username: name }, userOptions);
      if (!changes(before, change)) {
        ctx.warn(`nothing changed: ${name} already has these settings`);
        ctx.result(before, () => describeUser(before));
        return;
      }
      const { user } = await ctx.call(usersUpdate, { username: name, ...change }, userOptions);
      ctx.result(user, () => `updated ${user.username}\n${describeUser(user)}`);
    });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    users
      .command(`${verb} <name>`)
      .description(
        enabled
          ? 'allow logins again'
          : 'refuse every login and end open sessions, keeping the account and its files',
      )
      .action(async (name: string) => {
        const { user } = await ctx.call(usersUpdate, { username: name, enabled }, userOptions);
        ctx.result(user, () => `${user.username} is ${enabled ? 'enabled' : 'disabled'}`);
      });
  }

  users
    .command('delete <name>')
    .description('remove the account and its keys (its home folder stays on disk)')
    .action(async (name: string) => {
      await ctx.call(usersDelete, { username: name }, userOptions);
      ctx.result(
        { deleted: name },
        () => `deleted user ${name}; the home folder's files were kept`,
      );
    });

  users
    .command('passwd <name>')
    .description("set a user's password")
    .option(
      '--password <password>',
      'the new password (visible in shell history: prefer --password-stdin)',
    )
    .option('--password-stdin', 'read the new password from standard input')
    .option('--generate', 'make a long random password and print it once')
    .action(async (name: string, o) => {
      const password = await passwordFrom(o);
      if (!password && !o.generate)
        throw new CliFailure('give --password, --password-stdin or --generate', exitCodes.usage);
      const { generatedPassword } = await ctx.call(
        usersPasswordSet,
        password ? { username: name, password } : { username: name, generate: true },
        userOptions,
      );
      ctx.result({ username: name, generatedPassword }, () =>
        generatedPassword
          ? `password for ${name}: ${generatedPassword}`
          : `password for ${name} changed`,
      );
    });

  users
    .command('privileges <name> <path>')
    .description(
      'what the user may do at a path in their home, and which folder-set rule decides it',
    )
    .action(async (name: string, path: string) => {
      const found = await ctx.call(usersPrivilegesEffective, { username: name, path }, userOptions);
      ctx.result(
        found,
        () =>
          `${found.path}: ${found.privileges.join(', ') || '(nothing)'}\n(${found.rulePath ? `folder-set rule for ${found.rulePath}` : "the user's own privileges"})`,
      );
    });
}
