import {
  connect,
  ErrorCode as NatsErrorCode,
  JSONCodec,
  NatsError,
  RequestStrategy,
  type NatsConnection,
} from 'nats';
import {
  fail,
  invalidFields,
  type AnyRequestContract,
  type ReplyOf,
  type RequestOf,
  type Result,
} from '@tessera/contracts';
import type { TesseraConfig } from '@tessera/config';
import { natsConnectionOptions } from './connection';

const json = JSONCodec<unknown>();

/**
 * Asks other services over NATS. Both sides of every exchange are checked against the contract:
 * a request that does not match is never sent, a reply that does not match is an `internal` error.
 */
export class BusClient {
  constructor(
    readonly connection: NatsConnection,
    readonly prefix = '',
  ) {}

  static async connect(cfg: TesseraConfig, name: string): Promise<BusClient> {
    const nc = await connect(natsConnectionOptions(cfg, name));
    return new BusClient(nc, cfg.TESSERA_BUS_PREFIX);
  }

  async request<C extends AnyRequestContract>(
    contract: C,
    payload: RequestOf<C>,
    { timeoutMs = 5000 }: { timeoutMs?: number } = {},
  ): Promise<Result<ReplyOf<C>>> {
    const checked = contract.request.safeParse(payload);
    if (!checked.success) {
      return invalidFields(checked.error.issues);
    }
    try {
      const msg = await this.connection.request(
        this.prefix + contract.subject,
        json.encode(checked.data),
        { timeout: timeoutMs },
      );
      return this.readReply(contract, msg.data);
    } catch (err) {
      if (err instanceof NatsError && err.code === NatsErrorCode.PermissionsViolation) {
        return fail('forbidden', `this service's NATS account may not ask ${contract.subject}`);
      }
      return fail('unavailable', unavailableMessage(contract.subject, err));
    }
  }

  /**
   * Asks every process that answers `contract` (those that subscribe without a queue group, see
   * `answerHere`) and collects the replies that arrive within `waitMs`. None is an empty list:
   * the caller says what silence means.
   */
  async requestAll<C extends AnyRequestContract>(
    contract: C,
    payload: RequestOf<C>,
    { waitMs = 1500 }: { waitMs?: number } = {},
  ): Promise<Result<ReplyOf<C>>[]> {
    const checked = contract.request.safeParse(payload);
    if (!checked.success) return [invalidFields(checked.error.issues)];
    const replies: Result<ReplyOf<C>>[] = [];
    try {
      const answers = await this.connection.requestMany(
        this.prefix + contract.subject,
        json.encode(checked.data),
        { strategy: RequestStrategy.Timer, maxWait: waitMs },
      );
      for await (const msg of answers) replies.push(this.readReply(contract, msg.data));
    } catch (err) {
      if (err instanceof NatsError && err.code === NatsErrorCode.NoResponders) return replies;
      if (err instanceof NatsError && err.code === NatsErrorCode.PermissionsViolation) {
        return [fail('forbidden', `this service's NATS account may not ask ${contract.subject}`)];
      }
      return [fail('unavailable', unavailableMessage(contract.subject, err))];
    }
    return replies;
  }

  private readReply<C extends AnyRequestContract>(
    contract: C,
    data: Uint8Array,
  ): Result<ReplyOf<C>> {
    let body: unknown;
    try {
      body = json.decode(data);
    } catch {
      return fail('internal', `the reply on ${contract.subject} is not JSON`);
    }
    const reply = contract.result.safeParse(body);
    if (!reply.success) {
      return fail('internal', `the reply on ${contract.subject} does not match its contract`);
    }
    return reply.data as Result<ReplyOf<C>>;
  }

  async close(): Promise<void> {
    await this.connection.drain();
  }
}

function unavailableMessage(subject: string, err: unknown): string {
  if (err instanceof NatsError && err.code === NatsErrorCode.NoResponders) {
    return `no service answers ${subject}: is it running?`;
  }
  if (err instanceof NatsError && err.code === NatsErrorCode.Timeout) {
    return `no answer on ${subject} in time`;
  }
  return `the bus failed on ${subject}: ${err instanceof Error ? err.message : String(err)}`;
}
