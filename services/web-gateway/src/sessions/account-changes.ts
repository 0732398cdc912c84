import { followAnnouncement, type BusClient, type Following } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { authSessionCheck, usersChanged, type UsersChangedEvent } from '@tessera/contracts';
import type { WebSessions } from './web-sessions';

/**
 * Account changes reach the web sessions at once, as libs/door's AccountWatch does for
 * connection-held sessions: a disabled or deleted user's sessions are removed from the store
 * (their next request, in any gateway process, is logged out); other changes give the sessions
 * the new profile. Web logins are password logins, so switching those off ends them too. After a
 * NATS reconnect every user with a session is checked again (announcements are not kept).
 */
export function followAccountChanges(
  bus: BusClient,
  sessions: WebSessions,
  logger: Logger,
): Following {
  const recheck = async (username: string) => {
    const reply = await bus.request(authSessionCheck, { username, keys: [] });
    if (!reply.ok) {
      logger.error({ username, reason: reply.error.message }, 'could not check web sessions');
      return;
    }
    const { user } = reply.value;
    if (!user || !user.enabled || user.passwordLoginDisabled) {
      const ended = await sessions.endUser(username);
      logger.info({ username, ended }, 'web sessions ended: the account may no longer log in');
    } else {
      await sessions.useProfile(user);
    }
  };
  const apply = async ({ username, changes }: UsersChangedEvent) => {
    if (changes.includes('disabled') || changes.includes('deleted')) {
      const ended = await sessions.endUser(username);
      logger.info({ username, ended, changes }, 'web sessions ended: account changed');
      return;
    }
    if (changes.some((c) => c !== 'password' && c !== 'key-removed')) await recheck(username);
  };
  return followAnnouncement(bus, usersChanged, logger, {
    onEvent: (event) =>
      void apply(event).catch((err: unknown) =>
        logger.error({ err, username: event.username }, 'an account change was not applied'),
      ),
    onReconnect: () =>
      void sessions
        .usernames()
        .then(async (names) => {
          for (const name of names) await recheck(name);
        })
        .catch((err: unknown) => logger.error({ err }, 'web sessions not re-checked')),
  });
}
