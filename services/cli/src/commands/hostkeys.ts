import type { Command } from 'commander';
import {
  hostKeyKinds,
  pkiHostKeysRegenerate,
  pkiHostKeysShow,
  type HostKeyInfo,
  type HostKeyKind,
} from '@tessera/contracts';
import { CliFailure, exitCodes, table, type CliContext } from '../cli-context';

function kind(value: string, previous: HostKeyKind[]): HostKeyKind[] {
  if (!(hostKeyKinds as readonly string[]).includes(value)) {
    throw new CliFailure(
      `--kind: unknown host key kind ${value}; choose from ${hostKeyKinds.join(', ')}`,
      exitCodes.usage,
    );
  }
  return [...previous, value as HostKeyKind];
}

function keysTable(keys: HostKeyInfo[]): string {
  return table(
    ['KIND', 'FINGERPRINT', 'MADE'],
    keys.map((k) => [k.kind, k.fingerprint, k.createdAt]),
  );
}

export function registerHostKeyCommands(program: Command, ctx: CliContext): void {
  const hostkeys = program
    .command('hostkeys')
    .description('the SSH host keys SFTP presents (ed25519, ecdsa-p256, rsa-3072)');

  hostkeys
    .command('show')
    .description('the host keys and their SHA256 fingerprints, for clients to check')
    .option('--public', 'print the public key lines (known_hosts style) instead')
    .action(async (o: { public?: boolean }) => {
      const { keys } = await ctx.call(pkiHostKeysShow, {});
      ctx.result(keys, () =>
        o.public ? keys.map((k) => k.publicKey).join('\n') : keysTable(keys),
      );
    });

  hostkeys
    .command('regenerate')
    .description(
      'make new host keys (all, or --kind ...): clients that saved the old fingerprints will warn',
    )
    .option('--kind <kind>', `only this kind (${hostKeyKinds.join(', ')}); repeatable`, kind, [])
    .action(async (o: { kind: HostKeyKind[] }) => {
      const { keys } = await ctx.call(
        pkiHostKeysRegenerate,
        o.kind.length ? { kinds: o.kind } : {},
        { kinds: '--kind' },
      );
      ctx.result(keys, () =>
        [
          keysTable(keys),
          `regenerated ${o.kind.length ? o.kind.join(', ') : 'all host keys'}: tell your users the new fingerprints`,
        ].join('\n'),
      );
    });
}
