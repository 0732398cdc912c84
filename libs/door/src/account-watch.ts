import { followAnnouncement, type BusClient, type Following } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  authSessionCheck,
  usersChanged,
  type AccountChange,
  type UsersChangedEvent,
} from '@tessera/contracts';
import type { LiveSessions } from './live-sessions';

/** Changes after which the open sessions ask user-auth for the user's profile again. */
const refetchOn: readonly AccountChange[] = [
  'enabled',
  'privileges',
  'folder-set',
  'home',
  'quota',
  'admin',
  'password-login',
];

/**
 * Makes account changes reach the open sessions of one door process: follows `users.changed`,
 * ends a disabled or deleted user's sessions and those logged in with a removed key at once, and
 * gives the others the changed profile for their next request. An announcement made while the
 * door was cut off from NATS is lost, so after every reconnect each user of an open session is
 * checked again with user-auth.
 */
export class AccountWatch {
  constructor(
    private readonly bus: BusClient,
    private readonly sessions: LiveSessions,
    private readonly logger: Logger,
  ) {}

  start(): Following {
    return followAnnouncement(this.bus, usersChanged, this.logger, {
      onEvent: (event) =>
        void this.apply(event).catch((err: unknown) =>
          this.logger.error({ err, username: event.username }, 'an account change was not applied'),
        ),
      onReconnect: () => void this.recheckAll(),
    });
  }

  /** What one announcement means for this door's sessions of the user. */
  async apply({ username, changes, removedKeys = [] }: UsersChangedEvent): Promise<void> {
    if (!this.sessions.usernames().includes(username)) return;
    if (changes.includes('deleted')) {
      this.sessions.endUser(username, 'the account was deleted');
      return;
    }
    if (changes.includes('disabled')) {
      this.sessions.endUser(username, 'the account was disabled');
      return;
    }
    if (changes.includes('key-removed') && removedKeys.length) {
      this.sessions.endKeys(username, removedKeys, 'the key it logged in with was removed');
    }
    if (changes.some((c) => refetchOn.includes(c))) await this.recheck(username);
  }

  /** Asks user-auth whether the user's sessions still stand, and what they may do now. */
  async recheck(username: string): Promise<void> {
    const keys = this.sessions.keysOf(username);
    const reply = await this.bus.request(authSessionCheck, { username, keys });
    if (!reply.ok) {
      this.logger.error(
        { username, reason: reply.error.message },
        'could not check the open sessions of a changed account; they keep what they had',
      );
      return;
    }
    const { user } = reply.value;
    if (!user) {
      this.sessions.endUser(username, 'the account no longer exists');
      return;
    }
    if (!user.enabled) {
      this.sessions.endUser(username, 'the account is disabled');
      return;
    }
    const gone = keys.filter((k) => !reply.value.keys.includes(k));
    if (gone.length) {
      this.sessions.endKeys(
        username,
        gone,
        'the key it logged in with no longer belongs to the account',
      );
    }
    if (user.passwordLoginDisabled) {
      this.sessions.endPasswordLogins(username, 'password logins are off for the account');
    }
    const following = this.sessions.useProfile(user);
    if (following) {
      this.logger.info(
        { username, sessions: following },
        'open sessions follow the changed account',
      );
    }
  }

  /** After a reconnect: every user of an open session, as announcements made meanwhile are lost. */
  private async recheckAll(): Promise<void> {
    const users = this.sessions.usernames();
    if (users.length) {
      this.logger.info(
        { users: users.length },
        'reconnected; checking the accounts of open sessions',
      );
    }
    for (const username of users) await this.recheck(username);
  }
}
