import type { BusClient } from '@tessera/bus';
import { usersGet } from '@tessera/contracts';
import type { FolderSetOf } from '../rules/scope';

/**
 * Which folder set a user has, asked of user-auth (the keeper of accounts) and kept for a short
 * while: a burst of uploads by one user asks once. A user-auth that does not answer is an error,
 * so the event is read again later rather than matched wrongly.
 */
export function folderSetsFromUserAuth(bus: BusClient, keepMs = 30_000): FolderSetOf {
  const known = new Map<string, { folderSet: string | null; at: number }>();
  return async (username) => {
    const hit = known.get(username);
    if (hit && Date.now() - hit.at < keepMs) return hit.folderSet;
    const reply = await bus.request(usersGet, { username });
    if (!reply.ok && !['not_found', 'invalid_request'].includes(reply.error.code))
      throw new Error(`user-auth did not say ${username}'s folder set: ${reply.error.message}`);
    const folderSet = reply.ok ? (reply.value.user.folderSet?.name ?? null) : null;
    known.set(username, { folderSet, at: Date.now() });
    return folderSet;
  };
}
