import {
  AckPolicy,
  DeliverPolicy,
  JSONCodec,
  nanos,
  type ConsumerMessages,
  type JsMsg,
} from 'nats';
import { ensureEventStream, type BusClient } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { noticeTriggers, triggerOfSubject, type NoticeTrigger } from '@tessera/contracts';
import type { NoticeCounters } from '../deliveries/counters';
import type { DeliveryLog } from '../deliveries/delivery-log';
import type { NoticeRules } from '../rules/notice-rules';
import { inScope, type FolderSetOf } from '../rules/scope';

const json = JSONCodec<unknown>();

/** The durable consumer's name: every replica of the service shares it, so each event goes to one. */
export const consumerName = 'notices';

/**
 * Events recorded at once. One at a time, each waited on its own Postgres transaction: about 130
 * events a second (bench/README.md). Order between events does not matter to a notice, and the
 * idempotency key keeps a redelivered one from counting twice.
 */
const recordingAtOnce = 8;

/**
 * Reads the event stream through a durable JetStream consumer, from where the last run stopped.
 * An event is acknowledged only once its deliveries are in the delivery log (or it matched no
 * rule); if recording fails, JetStream gives it again, and the log's idempotency key keeps the
 * second reading from adding anything.
 */
export class EventConsumer {
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private lagTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly bus: BusClient,
    private readonly rules: NoticeRules,
    private readonly log: DeliveryLog,
    private readonly folderSetOf: FolderSetOf,
    private readonly recorded: () => void,
    private readonly counters: NoticeCounters,
    private readonly logger: Logger,
    private readonly ackWaitMs: number,
  ) {}

  /** Starts reading; while JetStream cannot be reached it keeps trying in the background. */
  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.lagTimer) clearInterval(this.lagTimer);
    await this.messages?.close();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.consume();
      } catch (err) {
        if (this.stopped) return;
        this.logger.error({ err }, 'cannot read the event stream; trying again shortly');
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  }

  private async consume(): Promise<void> {
    const nc = this.bus.connection;
    const stream = await ensureEventStream(nc, this.bus.prefix);
    const jsm = await nc.jetstreamManager();
    // Adding a durable that exists with other settings fails: update it to this run's settings.
    const config = {
      durable_name: consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.ackWaitMs),
      max_ack_pending: 1000,
    };
    await jsm.consumers.add(stream, config).catch(() =>
      jsm.consumers.update(stream, consumerName, {
        ack_wait: config.ack_wait,
        max_ack_pending: config.max_ack_pending,
      }),
    );
    const consumer = await nc.jetstream().consumers.get(stream, consumerName);
    this.lagTimer ??= setInterval(() => {
      consumer
        .info(true)
        .then((info) => (this.counters.consumerLag = info.num_pending))
        .catch(() => undefined);
    }, 2000);
    this.messages = await consumer.consume({ max_messages: 256 });
    const running = new Set<Promise<void>>();
    for await (const message of this.messages) {
      const taken = this.take(message).finally(() => running.delete(taken));
      running.add(taken);
      if (running.size >= recordingAtOnce) await Promise.race(running);
    }
    await Promise.all(running);
  }

  private async take(message: JsMsg): Promise<void> {
    const trigger = triggerOfSubject(message.subject.slice(this.bus.prefix.length));
    if (!trigger) return message.ack(); // the stream holds more than notices follow
    const event = readEvent(trigger, message.data);
    if (!event) {
      this.logger.warn({ subject: message.subject }, 'a malformed event was dropped');
      return message.term();
    }
    try {
      const rules = await this.matching(trigger, event);
      const added = await this.log.record(
        {
          eventId: String(event.eventId),
          event,
          endedAt: new Date(String(event.endedAt ?? event.at)),
        },
        rules,
      );
      message.ack();
      if (added > 0) this.recorded();
    } catch (err) {
      this.logger.error(
        { err, subject: message.subject },
        'could not record an event; it comes again',
      );
      message.nak(1000);
    }
  }

  private async matching(trigger: NoticeTrigger, event: Record<string, unknown>) {
    const origin = {
      username: String(event.username),
      paths: [event.path, event.toPath].filter((p): p is string => typeof p === 'string'),
    };
    const rules = await this.rules.enabledFor(trigger);
    const inside = await Promise.all(rules.map((r) => inScope(r.scope, origin, this.folderSetOf)));
    return rules.filter((_, i) => inside[i]);
  }
}

/** The event as its contract declares it, or null when it breaks the contract. */
function readEvent(trigger: NoticeTrigger, data: Uint8Array): Record<string, unknown> | null {
  try {
    const parsed = noticeTriggers[trigger].payload.safeParse(json.decode(data));
    return parsed.success ? (parsed.data as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
