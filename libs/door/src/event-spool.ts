import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@tessera/config';
import { doorEvents, type DoorEvent } from '@tessera/contracts';

/** Sends one spooled event on; resolves once JetStream has stored it. */
export type PublishSpooled = (contract: DoorEvent, payload: unknown) => Promise<void>;

/** What the spool has done since the door started, for the door's health reply. */
export interface SpoolCounts {
  /** Events on disk waiting for JetStream now. */
  pending: number;
  /** Events JetStream acknowledged (and the spool then removed). */
  sent: number;
  /** Events that could not be written to the spool (a full disk): sent straight, or lost. */
  unspooled: number;
  /** Entries that could not be read back, moved to `corrupt/` for the operator. */
  corrupt: number;
}

interface Entry {
  file: string;
  /** Kept in memory when this process spooled it; read back from disk after a restart. */
  record?: SpoolRecord;
}

interface SpoolRecord {
  subject: string;
  event: unknown;
}

const bySubject = new Map<string, DoorEvent>(doorEvents.map((c) => [c.subject, c]));

/**
 * The door's events on their way to JetStream, on the door's own volume, so none is lost while
 * NATS is away or the door dies: each event is written and fsync'd before the door tells its
 * client the operation is done, then published in order and removed once JetStream acknowledges
 * it. A re-publish (the acknowledgement lost, or the door died before removing the file) carries
 * the same message id, which JetStream drops within its duplicate window.
 */
export class EventSpool {
  private readonly queue: Entry[] = [];
  private readonly counts = { sent: 0, unspooled: 0, corrupt: 0 };
  private sequence = 0;
  private draining: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failing = false;
  private closed = false;

  constructor(
    private readonly folder: string,
    private readonly publish: PublishSpooled,
    private readonly logger: Logger,
    private readonly retryMs = 1000,
  ) {}

  /** Takes up what an earlier run left (in the order it was spooled) and starts sending it. */
  async open(): Promise<this> {
    await mkdir(path.join(this.folder, 'corrupt'), { recursive: true });
    const left = (await readdir(this.folder)).filter((f) => f.endsWith('.json')).sort();
    for (const file of left) this.queue.push({ file });
    if (left.length) this.logger.info({ events: left.length }, 'sending events spooled earlier');
    this.kick();
    return this;
  }

  get status(): SpoolCounts {
    return { pending: this.queue.length, ...this.counts };
  }

  /**
   * Resolves once the event is on disk (or, when the disk refuses it, once JetStream has it).
   * Rejects only when both failed, so the caller can say the notice was lost.
   */
  async add(contract: DoorEvent, payload: unknown): Promise<void> {
    const record = { subject: contract.subject, event: contract.payload.parse(payload) };
    const file = this.nextName(record.event);
    try {
      await this.write(file, record);
    } catch (err) {
      this.counts.unspooled++;
      this.logger.error({ err, folder: this.folder }, 'event could not be spooled; sending it now');
      return this.publish(contract, record.event);
    }
    this.queue.push({ file, record });
    this.kick();
  }

  /** Tries again now, e.g. after NATS reconnected. */
  kick(): void {
    if (this.closed || this.draining) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.draining = this.drain().finally(() => (this.draining = null));
  }

  /** Stops sending; what is left stays on disk for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.draining;
  }

  private async drain(): Promise<void> {
    while (!this.closed && this.queue.length > 0) {
      const entry = this.queue[0]!;
      const record = entry.record ?? (await this.readBack(entry.file));
      const contract = record && bySubject.get(record.subject);
      if (!record || !contract) {
        await this.quarantine(entry.file, 'unreadable, or not an event this door sends');
        this.queue.shift();
        continue;
      }
      try {
        await this.publish(contract, record.event);
      } catch (err) {
        this.retryLater(err);
        return;
      }
      if (this.failing)
        this.logger.info({ pending: this.queue.length }, 'JetStream takes events again');
      this.failing = false;
      this.queue.shift();
      this.counts.sent++;
      await unlink(path.join(this.folder, entry.file)).catch((err: unknown) =>
        this.logger.error(
          { err, file: entry.file },
          'a sent event could not be removed from the spool',
        ),
      );
    }
  }

  private retryLater(err: unknown): void {
    if (!this.failing)
      this.logger.warn(
        { err, pending: this.queue.length },
        'JetStream does not take events now; they wait in the spool',
      );
    this.failing = true;
    if (!this.closed) this.retryTimer = setTimeout(() => this.kick(), this.retryMs);
  }

  /** Spool order is name order: time, then a counter, then the event id (unique across restarts). */
  private nextName(event: unknown): string {
    const id = (event as { eventId?: string }).eventId ?? 'event';
    const seq = String(this.sequence++ % 1e9).padStart(9, '0');
    return `${String(Date.now()).padStart(14, '0')}-${seq}-${id}.json`;
  }

  /** The file and its folder entry are both fsync'd, so the event survives a power cut. */
  private async write(file: string, record: SpoolRecord): Promise<void> {
    const handle = await open(path.join(this.folder, file), 'wx');
    try {
      await handle.writeFile(JSON.stringify(record));
      await handle.sync();
    } finally {
      await handle.close();
    }
    const dir = await open(this.folder, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  private async readBack(file: string): Promise<SpoolRecord | null> {
    try {
      const parsed = JSON.parse(await readFile(path.join(this.folder, file), 'utf8')) as unknown;
      const { subject, event } = (parsed ?? {}) as Partial<SpoolRecord>;
      const contract = typeof subject === 'string' ? bySubject.get(subject) : undefined;
      if (contract?.payload.safeParse(event).success) return { subject: contract.subject, event };
    } catch {
      // Unreadable: a write cut short by a crash, or a damaged disk. Quarantined by the caller.
    }
    return null;
  }

  /** A bad entry is set aside (not deleted: the operator may want it) and never blocks the rest. */
  private async quarantine(file: string, reason: string): Promise<void> {
    this.counts.corrupt++;
    this.logger.error({ file, reason }, 'a spooled event is corrupt; moved to corrupt/');
    await rename(path.join(this.folder, file), path.join(this.folder, 'corrupt', file)).catch(
      (err: unknown) => {
        this.logger.error({ err, file }, 'a corrupt spool entry could not be moved; removing it');
        return unlink(path.join(this.folder, file)).catch(() => undefined);
      },
    );
  }
}
