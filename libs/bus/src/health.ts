import { JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { tesseraVersion } from '@tessera/config';
import { healthPing, ok, type HealthDetails, type HealthReply } from '@tessera/contracts';
import type { BusClient } from './bus-client';

const json = JSONCodec<unknown>();

/** What a service adds to its health reply, read at each ping so it is always current. */
export type DescribeHealth = () => HealthDetails;

const busOnly: DescribeHealth = () => ({ listening: [] });

/**
 * Answers `health.<service>` in the service's queue group: an answer proves the process is up and
 * connected to NATS; the reply says which release runs, since when, and what it serves.
 */
export function answerHealth(
  connection: NatsConnection,
  prefix: string,
  service: string,
  describe: DescribeHealth = busOnly,
): Subscription {
  const started = new Date(Date.now() - process.uptime() * 1000); // the process, not this call
  return connection.subscribe(prefix + healthPing(service).subject, {
    queue: service,
    callback: (_err, msg) => msg.respond(json.encode(ok(healthReply(service, started, describe)))),
  });
}

function healthReply(service: string, started: Date, describe: DescribeHealth): HealthReply {
  return {
    ...describe(),
    service,
    version: tesseraVersion(),
    startedAt: started.toISOString(),
    uptimeSeconds: Math.floor((Date.now() - started.getTime()) / 1000),
  };
}

/** One service's answer to a health ping, or why there was none. */
export type HealthAnswer =
  | { service: string; answers: true; health: HealthReply }
  | { service: string; answers: false; reason: string };

/** Pings every service at once; a service that does not answer within `timeoutMs` is reported. */
export async function askHealth(
  bus: BusClient,
  services: readonly string[],
  timeoutMs = 2000,
): Promise<HealthAnswer[]> {
  return Promise.all(
    services.map(async (service): Promise<HealthAnswer> => {
      const reply = await bus.request(healthPing(service), {}, { timeoutMs });
      return reply.ok
        ? { service, answers: true, health: reply.value }
        : { service, answers: false, reason: reply.error.message };
    }),
  );
}
