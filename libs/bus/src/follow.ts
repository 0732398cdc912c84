import { JSONCodec, type NatsConnection } from 'nats';
import type { Logger } from '@tessera/config';
import type { EventContract, PayloadOf } from '@tessera/contracts';

const json = JSONCodec<unknown>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event contract
export type AnyEvent = EventContract<any>;

/** Where announcements are heard: a bus client, or anything with a connection and a prefix. */
export interface AnnouncementSource {
  readonly connection: NatsConnection;
  readonly prefix: string;
}

export interface FollowHandlers<E extends AnyEvent> {
  /** Each well-formed announcement. */
  onEvent: (event: PayloadOf<E>) => void;
  /**
   * After every reconnect: an announcement made while this process was cut off is lost, so the
   * follower fetches the state again.
   */
  onReconnect?: () => void;
}

export interface Following {
  stop(): void;
}

/**
 * The one way to follow a declared announcement (`settings.changed`, `pki.hostkeys.changed`, ...):
 * the payload is checked against its contract, a malformed one is logged and dropped, and the
 * follower hears about reconnects so it can fetch what it may have missed.
 */
export function followAnnouncement<E extends AnyEvent>(
  bus: AnnouncementSource,
  contract: E,
  logger: Logger,
  { onEvent, onReconnect }: FollowHandlers<E>,
): Following {
  const subscription = bus.connection.subscribe(bus.prefix + contract.subject, {
    callback: (_err, msg) => {
      const event = contract.payload.safeParse(decode(msg.data));
      if (event.success) onEvent(event.data as PayloadOf<E>);
      else
        logger.warn(
          { issues: event.error.issues.slice(0, 3).map((i: { message: string }) => i.message) },
          `a malformed ${contract.subject} was dropped`,
        );
    },
  });
  const statuses = onReconnect && bus.connection.status();
  if (statuses) {
    void (async () => {
      for await (const status of statuses) if (status.type === 'reconnect') onReconnect?.();
    })().catch(() => undefined);
  }
  return {
    stop: () => {
      subscription.unsubscribe();
      // At run time the status iterable is a nats QueuedIterator, which can be stopped.
      (statuses as { stop?: () => void } | undefined)?.stop?.();
    },
  };
}

function decode(data: Uint8Array): unknown {
  try {
    return json.decode(data);
  } catch {
    return undefined;
  }
}
