import type { Command } from 'commander';
import {
  liveSessionsEnd,
  liveSessionsList,
  type LiveSession,
  type LiveTransfer,
  type ReplyOf,
} from '@tessera/contracts';
import { CliFailure, exitCodes, operator, table, type CliContext } from '../cli-context';

type DoorSessions = ReplyOf<typeof liveSessionsList>;

/** Silence from every door: no door process runs (a door switched off still answers). */
function noDoor(): CliFailure {
  return new CliFailure('no door answered: is a door running?', exitCodes.unavailable);
}

export function registerSessionsCommands(program: Command, ctx: CliContext): void {
  const sessions = program
    .command('sessions')
    .description('who is logged in to the doors now, and ending their sessions');

  sessions
    .command('list')
    .description(
      'every open session of every door: user, protocol, address, since, login, transfers',
    )
    .action(async () => {
      const doors = await ctx.callAll(liveSessionsList, {});
      if (!doors.length) throw noDoor();
      const all = doors.flatMap(({ service, instance, sessions: open }) =>
        open.map((s) => ({ ...s, door: { service, instance } })),
      );
      ctx.result(all, () => describe(doors));
    });

  sessions
    .command('end <username>')
    .description('end every open session of a user, in every door (they may log in again)')
    .action(async (username: string) => {
      const doors = await ctx.callAll(
        liveSessionsEnd,
        { username, requestedBy: operator() },
        { username: 'USERNAME' },
      );
      if (!doors.length) throw noDoor();
      const ended = doors.reduce((sum, d) => sum + d.ended, 0);
      ctx.result({ username, ended, doors }, () =>
        ended
          ? `ended ${ended} session${ended === 1 ? '' : 's'} of ${username}`
          : `${username} has no open session`,
      );
    });
}

function describe(doors: DoorSessions[]): string {
  const several = new Set(doors.map((d) => d.instance)).size > 1;
  const rows = doors.flatMap((door) =>
    door.sessions.map((s) => [
      several ? `${s.id}@${door.instance}` : s.id,
      s.username,
      s.protocol,
      s.remoteAddress,
      s.since,
      login(s),
      s.transfers.map(transfer).join(', ') || '-',
    ]),
  );
  if (!rows.length) return 'no open session';
  return table(['SESSION', 'USER', 'PROTOCOL', 'FROM', 'SINCE', 'LOGIN', 'MOVING'], rows);
}

function login({ login }: LiveSession): string {
  return login.method === 'publickey' ? `key ${login.fingerprint}` : 'password';
}

function transfer(t: LiveTransfer): string {
  return `${t.direction === 'upload' ? 'up' : 'down'} ${t.path} (${t.bytes} bytes)`;
}
