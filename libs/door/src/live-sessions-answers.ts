import type { Subscription } from 'nats';
import { answerHere, type BusClient } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { liveSessionsEnd, liveSessionsList } from '@tessera/contracts';
import type { LiveSessions } from './live-sessions';

/**
 * Answers the operator's `live-sessions.list` and `live-sessions.end` for this door process
 * (every process answers for its own sessions: `tessera sessions` collects the replies).
 */
export function answerLiveSessions(
  bus: BusClient,
  sessions: LiveSessions,
  logger: Logger,
): Subscription[] {
  const by = { service: sessions.service, instance: sessions.instance };
  return [
    answerHere(bus.connection, bus.prefix, liveSessionsList, logger, async () => ({
      ...by,
      sessions: sessions.list(),
    })),
    answerHere(bus.connection, bus.prefix, liveSessionsEnd, logger, async (req) => ({
      ...by,
      ended: sessions.endUser(
        req.username,
        req.requestedBy ? `ended by the operator (${req.requestedBy})` : 'ended by the operator',
      ),
    })),
  ];
}
