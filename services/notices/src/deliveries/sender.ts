import type { Logger } from '@tessera/config';
import type { NoticeWebhookBody } from '@tessera/contracts';
import type { StoredRule } from '../rules/notice-rules';
import type { NoticeRules } from '../rules/notice-rules';
import type { NoticesSettings } from '../settings';
import type { NoticeCounters } from './counters';
import type { ClaimedDelivery, DeliveryLog } from './delivery-log';
import { mailFor, sendMail, type SmtpSettings } from './mail';
import { DeliveryFailed, postWebhook } from './webhook';

/** How many deliveries one round takes, and how long they are this sender's. */
const roundSize = 20;

/**
 * Empties the delivery log: takes due deliveries (its own for a lease), sends each, and records
 * the outcome. A failure is tried again later, each time about twice as late (with jitter, so
 * many failed receivers do not come back in step), up to the attempt limit.
 */
export class Sender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly log: DeliveryLog,
    private readonly rules: NoticeRules,
    private readonly smtp: () => SmtpSettings,
    private readonly settings: NoticesSettings,
    private readonly counters: NoticeCounters,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.wake();
  }

  /** Looks for due deliveries now (the consumer just recorded some). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.running = this.rounds()
      .catch((err: unknown) => this.logger.error({ err }, 'the sender failed a round'))
      .finally(() => {
        this.running = null;
        if (this.stopped) return;
        if (this.again) return this.wake();
        this.timer = setTimeout(() => this.wake(), this.settings.pollMs);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private async rounds(): Promise<void> {
    this.again = false;
    for (;;) {
      const lease = this.settings.timeoutMs * 2 + 5000;
      const due = await this.log.claim(roundSize, lease);
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.deliver(d)));
      this.counters.queued = await this.log.queued();
      if (this.stopped) return;
    }
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const rule = await this.rules.byId(delivery.ruleId);
    if (!rule || delivery.events.length === 0) return this.log.drop(delivery.id);
    try {
      await this.send(rule, delivery);
      await this.log.delivered(delivery.id, delivery.events[0]!.endedAt);
      this.counters.delivered++;
    } catch (err) {
      const reason = err instanceof DeliveryFailed ? err.message : `unexpected: ${String(err)}`;
      const retryAt = delivery.attempts < this.settings.attempts ? this.retryAt(delivery) : null;
      await this.log.attemptFailed(delivery.id, reason, retryAt);
      if (retryAt) this.counters.retried++;
      else this.counters.failed++;
      this.logger.warn(
        { notice: rule.name, delivery: delivery.id, attempts: delivery.attempts, reason },
        retryAt ? 'notice not delivered; will try again' : 'notice not delivered; giving up',
      );
    }
  }

  private send(rule: StoredRule, delivery: ClaimedDelivery): Promise<void> {
    const events = delivery.events.map((e) => e.event);
    if (rule.action.kind === 'email')
      return sendMail(
        this.smtp(),
        rule.action.to,
        mailFor(rule.name, rule.trigger, events, delivery.test),
        this.settings.timeoutMs,
      );
    const body: NoticeWebhookBody = {
      version: 1,
      deliveryId: delivery.id,
      notice: rule.name,
      trigger: rule.trigger,
      test: delivery.test,
      events,
      sentAt: new Date().toISOString(),
    };
    return postWebhook(rule.action.url, rule.action.secret, body, this.settings.timeoutMs);
  }

  /** base × 2^(attempt-1), capped, times a jitter between 0.5 and 1.5. */
  private retryAt(delivery: ClaimedDelivery): Date {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const plain = Math.min(retryMaxMs, retryBaseMs * 2 ** (delivery.attempts - 1));
    return new Date(Date.now() + Math.round(plain * (0.5 + Math.random())));
  }
}
