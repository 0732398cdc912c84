import { randomBytes } from 'node:crypto';
import { AckPolicy, DeliverPolicy, JSONCodec, type NatsConnection } from 'nats';
import { ensureEventStream } from '@tessera/bus';

const json = JSONCodec<Record<string, unknown>>();

/**
 * Every event stored so far on `subject` (under the test's prefix), read back from JetStream by a
 * consumer of the test's own, which is deleted afterwards. Waits `settleMs` with no new message
 * before answering, so "exactly one" really means no second one arrived.
 */
export async function readEvents(
  nc: NatsConnection,
  prefix: string,
  subject: string,
  { settleMs = 1000 }: { settleMs?: number } = {},
): Promise<Record<string, unknown>[]> {
  const stream = await ensureEventStream(nc, prefix);
  const jsm = await nc.jetstreamManager();
  const name = `test_events_${randomBytes(6).toString('hex')}`;
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: prefix + subject,
  });
  try {
    const consumer = await nc.jetstream().consumers.get(stream, name);
    const events: Record<string, unknown>[] = [];
    const messages = await consumer.fetch({ max_messages: 1000, expires: settleMs });
    for await (const message of messages) {
      events.push(json.decode(message.data));
      message.ack();
    }
    return events;
  } finally {
    await jsm.consumers.delete(stream, name);
  }
}

/** Removes the test's own event stream (the door made it at start). */
export async function deleteEventStream(nc: NatsConnection, prefix: string): Promise<void> {
  const stream = await ensureEventStream(nc, prefix);
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(stream);
}
