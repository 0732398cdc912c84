import type { Command } from 'commander';
import {
  folderSetsAssign,
  folderSetsCreate,
  folderSetsDelete,
  folderSetsList,
  folderSetsUpdate,
  type FolderRule,
  type FolderSet,
} from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';
import { parsePrivileges } from './users';

/** "--rule /inbox=list,upload" (an empty list after "=" grants nothing there). */
function parseRule(text: string, rules: FolderRule[] = []): FolderRule[] {
  const at = text.lastIndexOf('=');
  if (at < 1)
    throw new CliFailure(
      `--rule ${text}: a rule is PATH=PRIVILEGES, e.g. /inbox=list,upload`,
      exitCodes.usage,
    );
  const privileges = parsePrivileges(text.slice(at + 1), `--rule ${text}`);
  return [...rules, { path: text.slice(0, at), privileges }];
}

/** The options and arguments that fill each foldersets.* request field. */
const setOptions = {
  name: 'NAME',
  rules: '--rule',
  newName: '--rename',
  username: 'USER',
  folderSet: 'NAME',
} as const;

const describe = (s: FolderSet) =>
  table(
    ['FOLDER', 'PRIVILEGES'],
    s.rules.map((r) => [r.path, r.privileges.join(',') || '(nothing)']),
  );

export function registerFolderSetCommands(program: Command, ctx: CliContext): void {
  const sets = program
    .command('folder-sets')
    .description('named lists of per-folder privileges; the most specific folder wins');

  sets
    .command('add <name>')
    .description('create a folder set')
    .requiredOption(
      '--rule <path=privileges>',
      'a folder and what users may do there (repeatable)',
      parseRule,
    )
    .action(async (name: string, o: { rule: FolderRule[] }) => {
      const { folderSet } = await ctx.call(folderSetsCreate, { name, rules: o.rule }, setOptions);
      ctx.result(folderSet, () => `created folder set ${folderSet.name}\n${describe(folderSet)}`);
    });

  sets
    .command('update <name>')
    .description("replace a folder set's rules (and optionally rename it)")
    .requiredOption(
      '--rule <path=privileges>',
      'a folder and what users may do there (repeatable)',
      parseRule,
    )
    .option('--rename <new-name>', 'a new name')
    .action(async (name: string, o: { rule: FolderRule[]; rename?: string }) => {
      const { folderSet } = await ctx.call(
        folderSetsUpdate,
        {
          name,
          rules: o.rule,
          ...(o.rename ? { newName: o.rename } : {}),
        },
        setOptions,
      );
      ctx.result(folderSet, () => `updated folder set ${folderSet.name}\n${describe(folderSet)}`);
    });

  sets
    .command('list')
    .description('every folder set with its rules')
    .action(async () => {
      const { folderSets } = await ctx.call(folderSetsList, {});
      ctx.result(
        folderSets,
        () =>
          folderSets.map((s) => `${s.name}\n${describe(s).replace(/^/gm, '  ')}`).join('\n\n') ||
          '(no folder sets)',
      );
    });

  sets
    .command('assign <user> [name]')
    .description("apply a folder set to a user (--none: back to the user's own privileges)")
    .option('--none', 'remove the folder set from the user')
    .action(async (user: string, name: string | undefined, o: { none?: boolean }) => {
      if (Boolean(name) === Boolean(o.none))
        throw new CliFailure('give a folder set name or --none', exitCodes.usage);
      const { user: profile } = await ctx.call(
        folderSetsAssign,
        { username: user, folderSet: name ?? null },
        setOptions,
      );
      ctx.result(
        profile,
        () =>
          `${user} now uses ${profile.folderSet ? `folder set ${profile.folderSet.name}` : 'their own privileges'}`,
      );
    });

  sets
    .command('delete <name>')
    .description('delete a folder set (its users fall back to their own privileges)')
    .action(async (name: string) => {
      await ctx.call(folderSetsDelete, { name }, setOptions);
      ctx.result({ deleted: name }, () => `deleted folder set ${name}`);
    });
}
