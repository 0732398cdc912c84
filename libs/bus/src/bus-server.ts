import { ServerNats, type Deserializer, type Serializer } from '@nestjs/microservices';
import { JSONCodec, type NatsConnection } from 'nats';
import type { TesseraConfig } from '@tessera/config';
import { natsConnectionOptions } from './connection';
import { answerHealth, type DescribeHealth } from './health';

const json = JSONCodec<unknown>();

/** Marks a request body that was not JSON, so the handler can answer `invalid_request`. */
export class UnreadablePayload {
  constructor(readonly reason: string) {}
}

/**
 * Requests arrive as bare contract payloads (any NATS client can ask, not only NestJS ones): the
 * reply subject stands in for NestJS's packet id, and a body that is not JSON still reaches the
 * handler, marked, so it gets an error reply instead of an unhandled rejection.
 */
class PlainJsonDeserializer implements Deserializer {
  deserialize(value: Uint8Array, options?: { channel?: string; replyTo?: string }) {
    let data: unknown;
    try {
      data = json.decode(value);
    } catch (err) {
      data = new UnreadablePayload(err instanceof Error ? err.message : 'not JSON');
    }
    return { id: options?.replyTo, pattern: options?.channel, data };
  }
}

interface OutgoingPacket {
  response?: unknown;
  err?: unknown;
}

/** Replies go out as the bare `Result` envelope the handler returned. */
class PlainJsonSerializer implements Serializer {
  serialize(packet: OutgoingPacket) {
    const body =
      packet.err !== undefined && packet.err !== null
        ? { ok: false, error: { code: 'internal', message: 'the service failed on this request' } }
        : packet.response;
    return { data: json.encode(body), headers: undefined };
  }
}

/** NestJS's NATS transport with Tessera's wire format, queue group and subject prefix. */
export class BusServer extends ServerNats {
  constructor(
    cfg: TesseraConfig,
    private readonly queue: string,
    private readonly prefix = cfg.TESSERA_BUS_PREFIX,
    /** What the service adds to its health reply (counts, ports); "I answer" by default. */
    private readonly describe?: DescribeHealth,
  ) {
    super({
      ...natsConnectionOptions(cfg, queue),
      serializer: new PlainJsonSerializer(),
      deserializer: new PlainJsonDeserializer(),
    });
  }

  /** Subscribes every handler under the prefix, in one queue group so replicas share the load. */
  override bindEvents(client: NatsConnection): void {
    answerHealth(client, this.prefix, this.queue, this.describe);
    for (const channel of this.messageHandlers.keys()) {
      client.subscribe(this.prefix + channel, {
        queue: this.queue,
        callback: this.getMessageHandler(channel).bind(this),
      });
    }
  }
}
