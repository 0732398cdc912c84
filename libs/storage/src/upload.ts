import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { formatBytes } from '@tessera/contracts';
import { toEntry, type FileEntry } from './entries';
import { fromFsError, StorageError } from './errors';
import { baseName } from './paths';
import { isCount, readAt } from './positional-read';
import { now, type Reporter } from './notices';
import type { QuotaCharge } from './quota';

export interface UploadResult {
  size: number;
  /**
   * Hex sha256 of the whole file; null when knowing it would cost more than the bytes received
   * (a resumed upload, whose earlier bytes were never seen; a file with gaps never written).
   */
  sha256: string | null;
}

/** How the session set this upload up; the transfer only writes, finishes and reports. */
export interface UploadPlan {
  virtualPath: string;
  /** 'create': a new temporary file; 'resume': an existing file in place; 'in-place': read-write. */
  mode: 'create' | 'resume' | 'in-place';
  handle: FileHandle;
  /** The file was empty when the upload began, so a hash of what arrives in order is its hash. */
  startsEmpty: boolean;
  /** Every write goes to the end of the file, whatever position it names (SFTP APPEND). */
  append: boolean;
  /** The size the file may reach (TESSERA_MAX_FILE_SIZE): a write or truncate past it is refused. */
  maxSize: number;
  /** Reads are allowed too (a read-write open); they see the file as written so far. */
  readable: boolean;
  /** The temporary file being written ('create'); null when writing in place ('resume'). */
  tempPath: string | null;
  /** Where writes without a position go first, and appends: the current end for a resume. */
  offset: number;
  /** Writes below this position are refused (a resume without the 'overwrite' privilege). */
  writeFloor: number;
  /** The user's quota: this file's share of the home's usage, grown or cut with it. */
  quota: QuotaCharge;
  /** Puts the written file in place: the final checks and rename of a 'create'. */
  finish: () => Promise<void>;
  /**
   * Asked when the transfer is cut (`abort()`): true puts what arrived of a 'create' in place
   * under the real name for a later resume (`uploads.keep-partial`), false removes it.
   */
  keepPartial: () => boolean;
  reporter: Reporter;
}

const hashChunkLength = 256 * 1024;

/**
 * One file being written. 'create' writes a temporary file beside the target and `commit()`
 * renames it into place, so a cut transfer (`abort()`) never leaves a truncated file under the
 * real name. 'resume' and 'in-place' write into the file itself; an abort keeps what was written.
 *
 * The sha256 costs what was written, never what the file claims to be: bytes arriving in order
 * from the start are hashed as they come; otherwise the file is read back at commit only when it
 * is no larger than the bytes received, and the hash is null beyond that (a 1-byte write at 1 TiB
 * must not cost a terabyte of reading).
 */
export class UploadTransfer {
  private readonly startedAt = now();
  private readonly startedAtMs = Date.now();
  private readonly hash = createHash('sha256');
  /** The hash covers bytes [0, hashedUpTo) while every write so far arrived in order. */
  private hashedUpTo = 0;
  private inOrder: boolean;
  private cursor: number;
  /** Where the next append lands: writes are placed in the order they arrive. */
  private appendAt: number;
  private received = 0;
  /** Something was written or cut: a read-write open that only read reports nothing. */
  private changed = false;
  private readonly pending = new Set<Promise<void>>();
  /** Why the upload is spoilt (a write failed or was refused): commit then refuses, saying so. */
  private failure: string | null = null;
  private state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  private committed: Promise<UploadResult> | null = null;
  private aborted: Promise<void> | null = null;
  private handleClosed = false;

  constructor(private readonly plan: UploadPlan) {
    this.inOrder = plan.startsEmpty;
    this.cursor = plan.offset;
    this.appendAt = plan.offset;
  }

  get virtualPath(): string {
    return this.plan.virtualPath;
  }

  get mode(): UploadPlan['mode'] {
    return this.plan.mode;
  }

  /** Opened to read too (a read-write open). */
  get readable(): boolean {
    return this.plan.readable;
  }

  /** Bytes the client sent so far (the transfer log's count). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Milliseconds since the file was opened. */
  get elapsedMs(): number {
    return Date.now() - this.startedAtMs;
  }

  /**
   * Writes `chunk` at `position` (default: right after the previous write). Writes may overlap,
   * leave gaps or run concurrently, as SFTP clients do; commit waits for all of them.
   */
  write(chunk: Buffer, position: number = this.cursor): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    const at = this.plan.append ? this.appendAt : position;
    const refusal = this.refusalOf(at, at + chunk.length);
    if (refusal) return Promise.reject(refusal);
    this.followHash(chunk, at); // now, in arrival order, before the write is under way
    this.cursor = at + chunk.length;
    this.appendAt += chunk.length;
    this.received += chunk.length;
    this.changed = true;
    return this.track(writeFully(this.plan.handle, chunk, at));
  }

  /** Up to `length` bytes at `position` of a read-write open; empty at the end of the file. */
  async read(length: number, position: number): Promise<Buffer> {
    if (!this.plan.readable) {
      throw new StorageError('io-error', this.virtualPath, 'the file was opened for writing only');
    }
    if (this.state !== 'open') throw this.closedError();
    return readAt(this.plan.handle, length, position, this.virtualPath);
  }

  /**
   * The file as written so far (SFTP FSTAT on an upload handle: psftp's `reput`, paramiko's
   * `f.stat()`): its size counts every write that arrived before this call.
   */
  async stat(): Promise<FileEntry> {
    if (this.state !== 'open') throw this.closedError();
    await Promise.allSettled(this.pending);
    const stats = await this.plan.handle.stat().catch((error: unknown) => {
      throw fromFsError(error, this.virtualPath);
    });
    return toEntry(baseName(this.virtualPath) || '/', stats);
  }

  /**
   * Cuts or extends the file to `size` (SFTP FSETSTAT with a size, as `ftruncate`). Cutting below
   * the bytes that were there before needs what rewriting them needs (the write floor). The size
   * it already has changes nothing (lftp sends size and mtime together after writing).
   */
  async truncate(size: number): Promise<void> {
    if (this.state !== 'open') throw this.closedError();
    const refusal = this.refusalOf(size, size);
    if (refusal) throw refusal;
    await Promise.allSettled(this.pending); // the cut applies after the writes before it
    if ((await this.stat()).size === size) return;
    if (size !== this.hashedUpTo) this.inOrder = false;
    this.appendAt = size;
    this.changed = true;
    await this.plan.handle.truncate(size).catch((error: unknown) => {
      throw fromFsError(error, this.virtualPath);
    });
    this.plan.quota.resizeTo(size); // growing was claimed by refusalOf; a cut frees
  }

  /**
   * Why bytes [start, end) may not be written, or null. A write past the limit per file also
   * spoils the upload: it was refused, so the file would not be what the client sent.
   */
  private refusalOf(start: number, end: number): StorageError | null {
    if (!isCount(start) || !isCount(end)) {
      return new StorageError(
        'io-error',
        this.virtualPath,
        'a write needs a whole, non-negative position',
      );
    }
    if (end > this.plan.maxSize) {
      this.failure = 'a write was past the limit per file';
      return new StorageError(
        'too-large',
        this.virtualPath,
        `the file would be larger than the limit per file (${formatBytes(this.plan.maxSize)}); quota exceeded`,
      );
    }
    if (start < this.plan.writeFloor) {
      return new StorageError(
        'permission-denied',
        this.virtualPath,
        'rewriting existing bytes needs the overwrite privilege',
      );
    }
    return this.quotaRefusal(end);
  }

  /** Counts growing the file to `end` against the user's quota; past it, the upload is spoilt. */
  private quotaRefusal(end: number): StorageError | null {
    try {
      this.plan.quota.claim(end);
      return null;
    } catch (error) {
      this.failure = 'a write was refused: quota exceeded';
      return fromFsError(error, this.virtualPath);
    }
  }

  /**
   * A Writable for piping (FTP, HTTP): each chunk is on disk before the next is asked for. Its
   * end commits: 'finish' comes only once the file is in place under its real name and reported
   * (an FTP door answers 226 then). Destroying it first (a cut pipe, a failed source) aborts.
   * A NoticeError fails the stream, but the file is in place, as with `commit()`.
   */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(chunk).then(() => done(), done);
      },
      final: (done) => {
        this.commit().then(() => done(), done);
      },
      destroy: (error, done) => {
        this.abort().then(
          () => done(error),
          () => done(error),
        );
      },
    });
  }

  /**
   * Waits for the writes, puts the file in place and reports the upload. Asked again, it answers
   * what the first call did (a piped upload has committed itself at the end of the stream).
   */
  commit(): Promise<UploadResult> {
    if (this.committed) return this.committed;
    if (this.state !== 'open') return Promise.reject(this.closedError());
    this.committed = this.commitOnce();
    return this.committed;
  }

  private async commitOnce(): Promise<UploadResult> {
    this.state = 'committing';
    let result: UploadResult;
    try {
      result = await this.completeFile();
      await this.plan.finish();
    } catch (error) {
      await this.discard();
      throw fromFsError(error, this.virtualPath);
    }
    this.state = 'committed';
    this.plan.quota.close();
    if (this.plan.mode === 'in-place' && !this.changed) return result; // only read: no upload
    await this.report(result, true);
    return result;
  }

  /**
   * The transfer was cut: closes the file and removes the temporary one, or, with keep-partial,
   * puts what arrived in place for a later resume. 'resume' and 'in-place' keep what they wrote
   * either way. What is left under the real name is reported as an incomplete upload. Asked
   * again (a door after its destroyed stream), it waits for the first abort to be done.
   */
  abort(): Promise<void> {
    if (this.aborted) return this.aborted;
    if (this.state !== 'open') return Promise.resolve();
    this.aborted = this.abortOnce();
    return this.aborted;
  }

  private async abortOnce(): Promise<void> {
    const leavesPartial =
      this.changed &&
      (this.plan.tempPath === null || (this.plan.keepPartial() && this.received > 0));
    if (!leavesPartial) return this.discard();
    this.state = 'committing';
    let result: UploadResult;
    try {
      result = await this.completeFile();
      await this.plan.finish();
    } catch {
      return this.discard(); // a failed write, or the name taken meanwhile: nothing to resume
    }
    this.plan.quota.close(); // the partial file stays, and counts
    this.state = 'aborted';
    await this.report(result, false);
  }

  private report(result: UploadResult, complete: boolean): Promise<void> {
    return this.plan.reporter.uploaded({
      path: this.virtualPath,
      ...result,
      complete,
      startedAt: this.startedAt,
    });
  }

  private async discard(): Promise<void> {
    this.state = 'aborted';
    await Promise.allSettled(this.pending);
    await this.closeHandle().catch(() => undefined);
    if (!this.plan.tempPath) return this.plan.quota.close(); // 'resume' keeps what it wrote
    await fs.rm(this.plan.tempPath, { force: true }).catch(() => undefined);
    this.plan.quota.discard();
  }

  private async completeFile(): Promise<UploadResult> {
    await Promise.allSettled(this.pending);
    if (this.failure)
      throw new StorageError(
        'io-error',
        this.virtualPath,
        `${this.failure}; the upload is incomplete`,
      );
    const { size } = await this.plan.handle.stat();
    const sha256 = await this.digest(size);
    await this.plan.handle.sync(); // the content is on disk before its name is
    await this.closeHandle();
    return { size, sha256 };
  }

  /** The hash within a budget of the bytes received (see the class comment). */
  private async digest(size: number): Promise<string | null> {
    if (this.inOrder && this.hashedUpTo === size) return this.hash.digest('hex');
    if (size > this.received) return null; // gaps, or bytes never seen: unknown at that price
    return hashFile(this.plan.handle, size); // writes came out of order: read the file back
  }

  private followHash(chunk: Buffer, position: number): void {
    if (!this.inOrder || chunk.length === 0) return;
    if (position !== this.hashedUpTo) {
      this.inOrder = false;
      return;
    }
    this.hash.update(chunk);
    this.hashedUpTo += chunk.length;
  }

  private track(write: Promise<void>): Promise<void> {
    const tracked = write.catch((error: unknown) => {
      this.failure = 'a write failed';
      throw fromFsError(error, this.virtualPath);
    });
    this.pending.add(tracked);
    const forget = () => this.pending.delete(tracked);
    tracked.then(forget, forget);
    return tracked;
  }

  private async closeHandle(): Promise<void> {
    if (this.handleClosed) return;
    this.handleClosed = true;
    await this.plan.handle.close();
  }

  private closedError(): StorageError {
    return new StorageError(
      'io-error',
      this.virtualPath,
      `the upload is ${this.state === 'open' ? 'busy' : this.state}`,
    );
  }
}

async function writeFully(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < chunk.length) {
    const { bytesWritten } = await handle.write(
      chunk,
      written,
      chunk.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}

async function hashFile(handle: FileHandle, size: number): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(hashChunkLength);
  for (let position = 0; position < size;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}
