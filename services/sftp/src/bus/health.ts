import { JSONCodec, type Subscription } from 'nats';
import type { BusClient } from '@tessera/bus';
import { healthPing, ok } from '@tessera/contracts';

const json = JSONCodec<unknown>();

/**
 * Answers `health.sftp` like every bus service does (libs/bus BusServer), so `deploy/healthcheck.ts
 * sftp` works too. Subscribed once the port listens: an answer means "connected and serving".
 */
export function answerHealth(bus: BusClient): Subscription {
  const ping = healthPing('sftp');
  const startedAt = new Date().toISOString();
  return bus.connection.subscribe(bus.prefix + ping.subject, {
    queue: 'sftp',
    callback: (_err, msg) => msg.respond(json.encode(ok({ service: 'sftp', startedAt }))),
  });
}
