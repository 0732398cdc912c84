import { connect, JSONCodec, type NatsConnection } from 'nats';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { PayloadOf } from '@tessera/contracts';
import { natsConnectionOptions } from './connection';
import { followAnnouncement, type AnyEvent, type FollowHandlers, type Following } from './follow';

const json = JSONCodec<unknown>();

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

  /** Follows an announcement (see followAnnouncement): malformed ones are logged and dropped. */
  follow<E extends AnyEvent>(contract: E, handlers: FollowHandlers<E>): Following {
    return followAnnouncement(
      { connection: this.nc, prefix: this.prefix },
      contract,
      this.logger,
      handlers,
    );
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
