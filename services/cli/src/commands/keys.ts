import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  usersKeysAdd,
  usersKeysList,
  usersKeysRemove,
  type PublicKeyInfo,
} from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';
import { readStdin } from '../stdin';

/** The arguments that fill each users.keys.* request field. */
const keyOptions = { username: 'NAME', line: 'FILE', fingerprint: 'FINGERPRINT' } as const;

async function keyLines(file: string): Promise<string[]> {
  const text =
    file === '-'
      ? await readStdin()
      : await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
          throw new CliFailure(
            `cannot read ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`,
            exitCodes.usage,
          );
        });
  const lines = text.split(/\r?\n/).filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  if (!lines.length) throw new CliFailure(`${file} holds no key line`, exitCodes.usage);
  return lines;
}

export function registerKeyCommands(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description("users' SSH public keys");

  keys
    .command('add <name> <file>')
    .description(
      'add every key line of an OpenSSH .pub / authorized_keys file ("-" reads standard input)',
    )
    .action(async (name: string, file: string) => {
      const added: PublicKeyInfo[] = [];
      for (const line of await keyLines(file)) {
        try {
          added.push((await ctx.call(usersKeysAdd, { username: name, line }, keyOptions)).key);
        } catch (err) {
          // Already this user's: what was asked for holds, so say so and go on.
          if (!(err instanceof CliFailure && ownedBy(err, name))) throw err;
          ctx.warn(`${err.message}; nothing to add`);
        }
      }
      ctx.result(added, () =>
        added.length
          ? added
              .map((k) => `added ${k.type} ${k.fingerprint} ${k.comment} for ${name}`.trimEnd())
              .join('\n')
          : `no new key for ${name}`,
      );
    });

  keys
    .command('list <name>')
    .description(
      "a user's keys with their SHA256 fingerprints, and where each lives: added (CLI or API) or the keys folder",
    )
    .action(async (name: string) => {
      const { keys: all } = await ctx.call(usersKeysList, { username: name }, keyOptions);
      ctx.result(all, () =>
        table(
          ['TYPE', 'FINGERPRINT', 'COMMENT', 'FROM', 'SINCE'],
          all.map((k) => [
            k.type,
            k.fingerprint,
            k.comment,
            k.file ? `${k.from} (${k.file})` : k.from,
            k.createdAt,
          ]),
        ),
      );
    });

  keys
    .command('remove <name> <fingerprint>')
    .description(
      'remove an added key by its fingerprint (SHA256:…); a keys-folder key is removed from its file',
    )
    .action(async (name: string, fingerprint: string) => {
      await ctx.call(usersKeysRemove, { username: name, fingerprint }, keyOptions);
      ctx.result({ removed: fingerprint }, () => `removed ${fingerprint} from ${name}`);
    });
}

/** user-auth refuses a key someone already has and names them in `details.owner`. */
const ownedBy = (err: CliFailure, username: string) =>
  err.refusal?.code === 'conflict' && err.refusal.details?.owner === username;
