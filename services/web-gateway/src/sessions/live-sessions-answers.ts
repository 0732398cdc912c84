import os from 'node:os';
import type { Subscription } from 'nats';
import { answerHere, type BusClient } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { liveSessionsEnd, liveSessionsList } from '@tessera/contracts';
import type { WebSessions } from './web-sessions';

/**
 * The operator's `tessera sessions list` and `end` for web sessions. They live in the shared KV
 * bucket, not in one process (the door kit's `LiveSessions` holds connections a process owns), so
 * the gateway processes answer as one queue group: one reply for all of them, not one per replica.
 */
export function answerWebLiveSessions(
  bus: BusClient,
  sessions: WebSessions,
  logger: Logger,
): Subscription[] {
  const by = { service: 'web-gateway', instance: `${os.hostname()}:${process.pid}` };
  const asOne = { queue: 'web-gateway' };
  return [
    answerHere(
      bus.connection,
      bus.prefix,
      liveSessionsList,
      logger,
      async () => ({ ...by, sessions: await sessions.live() }),
      asOne,
    ),
    answerHere(
      bus.connection,
      bus.prefix,
      liveSessionsEnd,
      logger,
      async ({ username, requestedBy }) => {
        const ended = await sessions.endUser(username);
        logger.info({ username, ended, requestedBy }, 'web sessions ended by the operator');
        return { ...by, ended };
      },
      asOne,
    ),
  ];
}
