import { headers, type JetStreamClient, type NatsConnection } from 'nats';
import { eventStream, type EventContract, type PayloadOf } from '@tessera/contracts';
import { JSONCodec } from 'nats';

const json = JSONCodec<unknown>();

/** Creates (or widens) the JetStream stream that keeps Tessera's events. Safe to call at every start. */
export async function ensureEventStream(nc: NatsConnection, prefix = ''): Promise<string> {
  const jsm = await nc.jetstreamManager();
  const name = prefix
    ? `${eventStream.name}_${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}`
    : eventStream.name;
  const subjects = eventStream.subjects.map((s: string) => prefix + s);
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, { subjects });
  } catch {
    await jsm.streams.add({ name, subjects });
  }
  return name;
}

/**
 * Publishes an event into JetStream and waits for the stream's acknowledgement, so an event is
 * either stored or the caller hears that it was not. The event id is the message id: JetStream
 * drops a duplicate published again within its window.
 */
export async function publishEvent<E extends EventContract<any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  js: JetStreamClient,
  contract: E,
  payload: PayloadOf<E>,
  prefix = '',
): Promise<void> {
  const event = contract.payload.parse(payload) as { eventId?: string };
  const h = headers();
  await js.publish(prefix + contract.subject, json.encode(event), {
    msgID: event.eventId,
    headers: h,
  });
}
