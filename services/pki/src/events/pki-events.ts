import { connect, JSONCodec, type NatsConnection } from 'nats';
import { natsConnectionOptions } from '@tessera/bus';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { EventContract, PayloadOf } from '@tessera/contracts';

const json = JSONCodec<unknown>();

/**
 * Announces pki changes (`pki.certificate.activated`, `pki.hostkeys.changed`) on core NATS: they
 * are "reload now" signals for the doors, not records, so JetStream would add nothing. Payloads
 * are checked against their contract before they leave, and never carry key material.
 */
export class PkiEvents {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  static async connect(config: TesseraConfig, logger: Logger): Promise<PkiEvents> {
    const nc = await connect(natsConnectionOptions(config, 'pki-events'));
    return new PkiEvents(nc, config.TESSERA_BUS_PREFIX, logger);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any event contract
  async publish<E extends EventContract<any>>(contract: E, payload: PayloadOf<E>): Promise<void> {
    const checked = contract.payload.parse(payload) as unknown;
    try {
      this.nc.publish(this.prefix + contract.subject, json.encode(checked));
      await this.nc.flush();
    } catch (err) {
      // The change itself is stored; doors also refetch when they reconnect.
      this.logger.error({ err, subject: contract.subject }, 'could not announce a pki change');
    }
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}
