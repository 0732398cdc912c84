import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { EventContract, PayloadOf } from '@tessera/contracts';
import { natsConnectionOptions } from './connection';

const json = JSONCodec<unknown>();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event contract
type AnyEvent = EventContract<any>;

/**
 * "Reload now" signals on core NATS (`pki.certificate.activated`, `settings.changed`, ...): not
 * records, so JetStream would add nothing; whoever missed one fetches again on reconnect. Payloads
 * are checked against their contract on the way out and on the way in.
 */
export class Announcements {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  static async connect(
    config: TesseraConfig,
    name: string,
    logger: Logger,
  ): Promise<Announcements> {
    const nc = await connect(natsConnectionOptions(config, name));
    return new Announcements(nc, config.TESSERA_BUS_PREFIX, logger);
  }

  async publish<E extends AnyEvent>(contract: E, payload: PayloadOf<E>): Promise<void> {
    const checked = contract.payload.parse(payload) as unknown;
    try {
      this.nc.publish(this.prefix + contract.subject, json.encode(checked));
      await this.nc.flush();
    } catch (err) {
      // The change itself is stored; listeners also fetch again when they reconnect.
      this.logger.error(
        { err, subject: contract.subject },
        `could not announce ${contract.subject}`,
      );
    }
  }

  /** Calls `onEvent` with each well-formed event; a malformed one is logged and dropped. */
  follow<E extends AnyEvent>(contract: E, onEvent: (event: PayloadOf<E>) => void): Subscription {
    return this.nc.subscribe(this.prefix + contract.subject, {
      callback: (_err, msg) => {
        const event = contract.payload.safeParse(decode(msg.data));
        if (event.success) onEvent(event.data as PayloadOf<E>);
        else this.logger.warn(`a malformed ${contract.subject} was dropped`);
      },
    });
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

function decode(data: Uint8Array): unknown {
  try {
    return json.decode(data);
  } catch {
    return undefined;
  }
}
