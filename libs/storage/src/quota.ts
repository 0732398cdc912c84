import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { formatBytes } from '@tessera/contracts';
import { errnoOf, StorageError } from './errors';

/**
 * Per-user quotas (the account's `quotaBytes`), enforced here so every door gets them.
 *
 * How a door knows a home's usage: the first session of a home in this process measures it by
 * walking the folder (every regular file's claimed size, each inode once, in-progress uploads
 * included); after that this process's own writes, cuts, deletes and replacements keep it up to
 * date. A later session measures again, unless an upload into that home is open here (a walk
 * then would count its bytes twice). So the count is per process: several doors or replicas each
 * measure on their own and do not see each other's writes until their next measurement, and an
 * operator's change on disk is seen at the next session. Each process still never lets its own
 * writes go past the quota, and the slack is at most what the other processes write meanwhile.
 *
 * A file counts for its claimed size (`st_size`), holes included: writing 1 byte at 1 TiB claims
 * a terabyte and is refused like a terabyte of data would be.
 */
export class HomeUsages {
  private readonly homes = new Map<string, HomeUsage>();

  /** A session's quota over its home's usage; with no limit, a quota that allows everything. */
  quotaFor(home: () => Promise<string>, limit: number | null | undefined): Quota {
    if (limit === null || limit === undefined) return unlimited;
    const usage = home().then((real) => this.measured(real));
    usage.catch(() => undefined); // awaited (and reported) by the first upload
    return new LimitedQuota(usage, limit);
  }

  private measured(real: string): Promise<HomeUsage> {
    let usage = this.homes.get(real);
    if (!usage) {
      usage = new HomeUsage(real);
      this.homes.set(real, usage);
    }
    return usage.remeasure();
  }
}

/** One process's count for all sessions: the quota is per process, see HomeUsages. */
export const processHomeUsages = new HomeUsages();

/** One home folder's bytes, as this process knows them. */
class HomeUsage {
  used = 0;
  /** Uploads open into this home: while any is, a walk would count their bytes twice. */
  open = 0;
  private measuring: Promise<HomeUsage> | null = null;
  private measured = false;

  constructor(private readonly real: string) {}

  remeasure(): Promise<HomeUsage> {
    if (this.measuring) return this.measuring;
    if (this.measured && this.open > 0) return Promise.resolve(this);
    this.measuring = bytesUnder(this.real)
      .then((bytes) => {
        this.used = bytes;
        this.measured = true;
        return this;
      })
      .finally(() => {
        this.measuring = null;
      });
    return this.measuring;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** The bytes a home holds: every regular file's size, hard links once; links not followed. */
async function bytesUnder(folder: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return [];
    throw error;
  });
  for (const entry of entries) {
    const real = path.join(folder, entry.name);
    if (entry.isDirectory()) total += await bytesUnder(real, seen);
    else if (entry.isFile()) total += await sizeOnce(real, seen);
  }
  return total;
}

async function sizeOnce(real: string, seen: Set<string>): Promise<number> {
  const stats = await fs.lstat(real).catch(() => null); // gone since readdir
  if (!stats?.isFile()) return 0;
  const inode = `${stats.dev}:${stats.ino}`;
  if (seen.has(inode)) return 0;
  seen.add(inode);
  return stats.size;
}

/** The size a file has now, or 0 when there is none (or it is not a regular file). */
export async function sizeOfFile(real: string): Promise<number> {
  const stats = await fs.lstat(real).catch(() => null);
  return stats?.isFile() && stats.nlink <= 1 ? stats.size : 0;
}

/** What a session does with its quota. */
export interface Quota {
  /** Starts counting an open file that already claims `size` bytes (0 for a new one). */
  charge(virtualPath: string, size: number): Promise<QuotaCharge>;
  /** A file of `size` bytes is gone (deleted, replaced): they no longer count. */
  freed(bytes: number): void;
}

/** One open file's share of its home's usage: what it claims now, grown or cut with it. */
export interface QuotaCharge {
  /** Refuses (quota-exceeded) or counts growing the file to at least `end` bytes. */
  claim(end: number): void;
  /** The file is cut or extended to exactly `size` bytes. */
  resizeTo(size: number): void;
  /** The file is gone (a temporary file removed): its bytes no longer count. */
  discard(): void;
  /** No more writes: the file keeps counting as what it is. */
  close(): void;
}

const nothing: QuotaCharge = {
  claim: () => undefined,
  resizeTo: () => undefined,
  discard: () => undefined,
  close: () => undefined,
};
const unlimited: Quota = { charge: async () => nothing, freed: () => undefined };

class LimitedQuota implements Quota {
  constructor(
    private readonly usage: Promise<HomeUsage>,
    private readonly limit: number,
  ) {}

  async charge(virtualPath: string, size: number): Promise<QuotaCharge> {
    const usage = await this.usage.catch((error: unknown) => {
      throw new StorageError('io-error', virtualPath, 'the home folder could not be measured', {
        cause: error,
      });
    });
    return new LimitedCharge(usage, this.limit, size, virtualPath);
  }

  freed(bytes: number): void {
    // A delete before the measurement ends is already in the walk's count.
    void this.usage.then(
      (usage) => usage.release(bytes),
      () => undefined,
    );
  }
}

class LimitedCharge implements QuotaCharge {
  private closed = false;

  constructor(
    private readonly usage: HomeUsage,
    private readonly limit: number,
    private size: number,
    private readonly virtualPath: string,
  ) {
    usage.open += 1;
  }

  claim(end: number): void {
    if (end <= this.size) return;
    const more = end - this.size;
    if (this.usage.used + more > this.limit) {
      throw new StorageError(
        'quota-exceeded',
        this.virtualPath,
        `quota exceeded: the home folder would hold more than ${formatBytes(this.limit)} (${formatBytes(this.usage.used)} used)`,
      );
    }
    this.usage.used += more;
    this.size = end;
  }

  resizeTo(size: number): void {
    if (size > this.size) return this.claim(size);
    this.usage.release(this.size - size);
    this.size = size;
  }

  discard(): void {
    this.resizeTo(0);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.usage.open -= 1;
  }
}
