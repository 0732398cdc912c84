import type { Prisma, PrismaClient } from '@tessera/db';
import type { NoticeDelivery } from '@tessera/contracts';
import type { StoredRule } from '../rules/notice-rules';

/** An event as the log keeps it: its id, the stored payload, and when it happened. */
export interface LoggedEvent {
  eventId: string;
  event: Record<string, unknown>;
  endedAt: Date;
}

/** A delivery a sender has taken, with what it needs to send. */
export interface ClaimedDelivery {
  id: string;
  ruleId: string;
  attempts: number;
  test: boolean;
  events: LoggedEvent[];
}

type Tx = Prisma.TransactionClient;

/**
 * The delivery log in Postgres: the outbox the consumer fills and the sender empties. A row per
 * (event, rule) in `notice_items` is the idempotency key: an event seen again (redelivered after
 * a crash, or re-published) finds its row and adds nothing.
 */
export class DeliveryLog {
  constructor(private readonly db: PrismaClient) {}

  /**
   * Records an event for the rules it matched, in one transaction: after this returns, the event
   * can be acknowledged. Returns how many new deliveries or batch entries were made.
   */
  async record(event: LoggedEvent, rules: StoredRule[], now = new Date()): Promise<number> {
    if (rules.length === 0) return 0;
    return this.db.$transaction(async (tx) => {
      const seen = await tx.noticeItem.findMany({
        where: { eventId: event.eventId, ruleId: { in: rules.map((r) => r.id) } },
        select: { ruleId: true },
      });
      const fresh = rules.filter((r) => !seen.some((s) => s.ruleId === r.id));
      for (const rule of fresh) await this.addItem(tx, rule, event, now);
      return fresh.length;
    });
  }

  /** A sample delivery for "send test notice": due now, marked as a test. */
  async recordTest(rule: StoredRule, event: LoggedEvent): Promise<NoticeDelivery> {
    const delivery = await this.db.noticeDelivery.create({
      data: {
        ruleId: rule.id,
        key: `test:${event.eventId}:${rule.id}`,
        dueAt: new Date(),
        test: true,
        items: {
          create: {
            ruleId: rule.id,
            eventId: event.eventId,
            event: event.event as Prisma.InputJsonObject,
            endedAt: event.endedAt,
          },
        },
      },
      include: { items: true, rule: { select: { name: true } } },
    });
    return logLine(delivery);
  }

  /**
   * Takes up to `limit` due deliveries for `leaseMs`, skipping rows another sender holds: several
   * replicas share the work, and a sender that dies mid-send releases its rows when the lease ends.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    const ids = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE notice_deliveries
         SET claimed_until = now() + ${leaseMs} * interval '1 millisecond',
             attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM notice_deliveries
          WHERE status = 'queued' AND due_at <= now()
            AND (claimed_until IS NULL OR claimed_until < now())
          ORDER BY due_at
          LIMIT ${limit}
          FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    if (ids.length === 0) return [];
    const rows = await this.db.noticeDelivery.findMany({
      where: { id: { in: ids.map((r) => r.id) } },
      include: { items: { orderBy: { endedAt: 'asc' } } },
      orderBy: { dueAt: 'asc' },
    });
    return rows.map((row) => ({
      id: row.id,
      ruleId: row.ruleId,
      attempts: row.attempts,
      test: row.test,
      events: row.items.map((i) => ({
        eventId: i.eventId,
        event: i.event as Record<string, unknown>,
        endedAt: i.endedAt,
      })),
    }));
  }

  async delivered(id: string, firstEventAt: Date): Promise<void> {
    const now = new Date();
    await this.db.noticeDelivery.update({
      where: { id },
      data: {
        status: 'delivered',
        deliveredAt: now,
        claimedUntil: null,
        latencyMs: Math.max(0, now.getTime() - firstEventAt.getTime()),
      },
    });
  }

  /** A failed attempt: tried again at `retryAt`, or, with none, recorded as failed for good. */
  async attemptFailed(id: string, reason: string, retryAt: Date | null): Promise<void> {
    await this.db.noticeDelivery.update({
      where: { id },
      data: {
        lastError: reason.slice(0, 1000),
        claimedUntil: null,
        ...(retryAt ? { dueAt: retryAt } : { status: 'failed' }),
      },
    });
  }

  /** A rule deleted while its delivery waited: nothing to send. */
  async drop(id: string): Promise<void> {
    await this.db.noticeDelivery.deleteMany({ where: { id } });
  }

  async log(ruleId: string, limit: number): Promise<NoticeDelivery[]> {
    const rows = await this.db.noticeDelivery.findMany({
      where: { ruleId },
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { items: true, rule: { select: { name: true } } },
    });
    return rows.map(logLine);
  }

  /** Deliveries waiting to be sent (batches still gathering included). */
  queued(): Promise<number> {
    return this.db.noticeDelivery.count({ where: { status: 'queued' } });
  }

  /** One delivery per event, or the rule's current window for a batching rule. */
  private async addItem(tx: Tx, rule: StoredRule, event: LoggedEvent, now: Date): Promise<void> {
    const windowMs = (rule.batchSeconds ?? 0) * 1000;
    const windowStart = windowMs ? Math.floor(now.getTime() / windowMs) * windowMs : 0;
    const key = windowMs ? `${rule.id}:window:${windowStart}` : `${event.eventId}:${rule.id}`;
    const dueAt = windowMs ? new Date(windowStart + windowMs) : now;
    const delivery = await tx.noticeDelivery.upsert({
      where: { key },
      create: { ruleId: rule.id, key, dueAt },
      update: {},
      select: { id: true },
    });
    await tx.noticeItem.create({
      data: {
        deliveryId: delivery.id,
        ruleId: rule.id,
        eventId: event.eventId,
        event: event.event as Prisma.InputJsonObject,
        endedAt: event.endedAt,
      },
    });
  }
}

type LogRow = Prisma.NoticeDeliveryGetPayload<{
  include: { items: true; rule: { select: { name: true } } };
}>;

function logLine(row: LogRow): NoticeDelivery {
  return {
    id: row.id,
    notice: row.rule.name,
    status: row.status as NoticeDelivery['status'],
    attempts: row.attempts,
    lastError: row.lastError,
    latencyMs: row.latencyMs,
    test: row.test,
    items: row.items.map((i) => {
      const e = i.event as { path?: unknown; username?: unknown };
      return String(e.path ?? e.username ?? i.eventId);
    }),
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
