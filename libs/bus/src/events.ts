import { JSONCodec, nanos, NatsError, type JetStreamClient, type NatsConnection } from 'nats';
import { eventStream, type EventContract, type PayloadOf } from '@tessera/contracts';

const json = JSONCodec<unknown>();

/** Creates (or widens) the JetStream stream that keeps Tessera's events. Safe to call at every start. */
export async function ensureEventStream(nc: NatsConnection, prefix = ''): Promise<string> {
  const jsm = await nc.jetstreamManager();
  const name = prefix
    ? `${eventStream.name}_${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}`
    : eventStream.name;
  const subjects = eventStream.subjects.map((s: string) => prefix + s);
  const duplicate_window = nanos(eventStream.duplicateWindowSeconds * 1000);
  try {
    await jsm.streams.info(name);
  } catch (err) {
    if (!isStreamNotFound(err)) throw err;
    await jsm.streams.add({ name, subjects, duplicate_window });
    return name;
  }
  await jsm.streams.update(name, { subjects, duplicate_window });
  return name;
}

/** JetStream's API error 10059: "stream not found". */
function isStreamNotFound(err: unknown): boolean {
  return err instanceof NatsError && err.api_error?.err_code === 10059;
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
  await js.publish(prefix + contract.subject, json.encode(event), {
    msgID: event.eventId,
  });
}
