import { Announcements } from '@tessera/bus';
import type { Logger, TesseraConfig } from '@tessera/config';
import {
  usersChanged,
  type AccountChange,
  type ParsedRequestOf,
  usersUpdate,
} from '@tessera/contracts';

/** Tells the doors about a stored account change (`users.changed`), so open sessions follow it. */
export type AnnounceAccountChange = (
  username: string,
  changes: AccountChange[],
  removedKeys?: string[],
) => Promise<void>;

/**
 * `users.changed` on core NATS. Announced after the change is stored; a door that misses one
 * (cut off at the time) checks its sessions again when it reconnects. Never throws: the change
 * itself is done (Announcements logs a failed publish).
 */
export class AccountChanges {
  private constructor(private readonly events: Announcements) {}

  static async connect(config: TesseraConfig, logger: Logger): Promise<AccountChanges> {
    return new AccountChanges(await Announcements.connect(config, 'user-auth-accounts', logger));
  }

  readonly announce: AnnounceAccountChange = (username, changes, removedKeys) =>
    this.events.publish(usersChanged, {
      username,
      changes,
      ...(removedKeys?.length ? { removedKeys } : {}),
      at: new Date().toISOString(),
    });

  close(): Promise<void> {
    return this.events.close();
  }
}

/** What a `users.update` request changes, by the fields it carries. */
export function changesOf(req: ParsedRequestOf<typeof usersUpdate>): AccountChange[] {
  const changes: AccountChange[] = [];
  if (req.enabled !== undefined) changes.push(req.enabled ? 'enabled' : 'disabled');
  if (req.privileges !== undefined) changes.push('privileges');
  if (req.homeFolder !== undefined) changes.push('home');
  if (req.quotaBytes !== undefined) changes.push('quota');
  if (req.admin !== undefined) changes.push('admin');
  if (req.passwordLoginDisabled !== undefined) changes.push('password-login');
  return changes;
}
