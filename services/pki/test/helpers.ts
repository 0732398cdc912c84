import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { BusClient, natsConnectionOptions } from '@tessera/bus';
import type { TesseraConfig } from '@tessera/config';
import type { EventContract, PayloadOf } from '@tessera/contracts';

/**
 * Everything this test's services say on NATS: requests and events under the test's prefix, and
 * the replies to this test's own client (its inbox prefix is unique too).
 */
export class BusSpy {
  readonly messages: { subject: string; reply?: string; data: string }[] = [];
  private constructor(
    private readonly nc: NatsConnection,
    private readonly sub: Subscription,
  ) {}

  static async start(config: TesseraConfig, inboxPrefix: string): Promise<BusSpy> {
    const nc = await connect(natsConnectionOptions(config, 'pki-test-spy'));
    const spy: BusSpy = new BusSpy(
      nc,
      nc.subscribe('>', {
        callback: (_err, msg) => {
          if (
            msg.subject.startsWith(config.TESSERA_BUS_PREFIX) ||
            msg.subject.startsWith(inboxPrefix)
          ) {
            spy.messages.push({
              subject: msg.subject,
              reply: msg.reply,
              data: Buffer.from(msg.data).toString('utf8'),
            });
          }
        },
      }),
    );
    await nc.flush();
    return spy;
  }

  async close() {
    this.sub.unsubscribe();
    await this.nc.drain();
  }
}

/** A bus client whose replies arrive on an inbox prefix of its own, so a spy can pick them out. */
export async function spiedBusClient(config: TesseraConfig, inboxPrefix: string) {
  const nc = await connect({ ...natsConnectionOptions(config, 'pki-test'), inboxPrefix });
  return new BusClient(nc, config.TESSERA_BUS_PREFIX);
}

/** Collects the events of one contract published under the test's prefix. */
export async function collectEvents<E extends EventContract<any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  bus: BusClient,
  contract: E,
): Promise<PayloadOf<E>[]> {
  const seen: PayloadOf<E>[] = [];
  const json = JSONCodec<unknown>();
  bus.connection.subscribe(bus.prefix + contract.subject, {
    callback: (_err, msg) => seen.push(contract.payload.parse(json.decode(msg.data))),
  });
  await bus.connection.flush();
  return seen;
}

/** The value of a successful reply, or a thrown error with the service's message. */
export function value<T>(
  result: { ok: true; value: T } | { ok: false; error: { message: string } },
): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}
