import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { fromFsError, StorageError } from './errors';
import { now, type Reporter } from './notices';

export interface UploadResult {
  size: number;
  /** Hex sha256 of the whole file; null for a resumed upload (the bytes before it are not seen). */
  sha256: string | null;
}

/** How the session set this upload up; the transfer only writes, finishes and reports. */
export interface UploadPlan {
  virtualPath: string;
  mode: 'create' | 'resume';
  handle: FileHandle;
  /** The temporary file being written ('create'); null when writing in place ('resume'). */
  tempPath: string | null;
  /** Where writes without a position go first. */
  offset: number;
  /** Writes below this position are refused (a resume without the 'overwrite' privilege). */
  writeFloor: number;
  /** Puts the written file in place: the final checks and rename of a 'create'. */
  finish: () => Promise<void>;
  reporter: Reporter;
}

const hashChunkLength = 256 * 1024;

/**
 * One file being written. 'create' writes a temporary file beside the target and `commit()`
 * renames it into place, so a cut transfer (`abort()`) never leaves a truncated file under the
 * real name. 'resume' writes into the existing file; an abort keeps what was written.
 */
export class UploadTransfer {
  private readonly startedAt = now();
  private readonly hash = createHash('sha256');
  /** The hash covers bytes [0, hashedUpTo) while every write so far arrived in order. */
  private hashedUpTo = 0;
  private inOrder: boolean;
  private cursor: number;
  private readonly pending = new Set<Promise<void>>();
  private failed = false;
  private state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  private handleClosed = false;

  constructor(private readonly plan: UploadPlan) {
    this.inOrder = plan.mode === 'create';
    this.cursor = plan.offset;
  }

  get virtualPath(): string {
    return this.plan.virtualPath;
  }

  get mode(): 'create' | 'resume' {
    return this.plan.mode;
  }

  /**
   * Writes `chunk` at `position` (default: right after the previous write). Writes may overlap,
   * leave gaps or run concurrently, as SFTP clients do; commit waits for all of them.
   */
  write(chunk: Buffer, position: number = this.cursor): Promise<void> {
    if (this.state !== 'open') return Promise.reject(this.closedError());
    if (!Number.isSafeInteger(position) || position < 0) {
      return Promise.reject(
        new StorageError(
          'io-error',
          this.virtualPath,
          'a write needs a whole, non-negative position',
        ),
      );
    }
    if (position < this.plan.writeFloor) {
      return Promise.reject(
        new StorageError(
          'permission-denied',
          this.virtualPath,
          'rewriting existing bytes needs the overwrite privilege',
        ),
      );
    }
    this.followHash(chunk, position); // now, in arrival order, before the write is under way
    this.cursor = position + chunk.length;
    return this.track(writeFully(this.plan.handle, chunk, position));
  }

  /** A Writable for piping (FTP, HTTP): each chunk is on disk before the next is asked for. */
  writable(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        this.write(chunk).then(() => done(), done);
      },
    });
  }

  /** Waits for the writes, puts the file in place and reports the upload. */
  async commit(): Promise<UploadResult> {
    if (this.state !== 'open') throw this.closedError();
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
    await this.plan.reporter.uploaded({
      path: this.virtualPath,
      ...result,
      startedAt: this.startedAt,
    });
    return result;
  }

  /** Gives up: closes the file and removes the temporary one ('resume' keeps what it wrote). */
  async abort(): Promise<void> {
    if (this.state === 'open') await this.discard();
  }

  private async discard(): Promise<void> {
    this.state = 'aborted';
    await Promise.allSettled(this.pending);
    await this.closeHandle().catch(() => undefined);
    if (this.plan.tempPath) await fs.rm(this.plan.tempPath, { force: true }).catch(() => undefined);
  }

  private async completeFile(): Promise<UploadResult> {
    await Promise.allSettled(this.pending);
    if (this.failed)
      throw new StorageError(
        'io-error',
        this.virtualPath,
        'a write failed; the upload is incomplete',
      );
    const { size } = await this.plan.handle.stat();
    const sha256 = await this.digest(size);
    await this.plan.handle.sync(); // the content is on disk before its name is
    await this.closeHandle();
    return { size, sha256 };
  }

  private async digest(size: number): Promise<string | null> {
    if (this.plan.mode === 'resume') return null;
    if (this.inOrder && this.hashedUpTo === size) return this.hash.digest('hex');
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
      this.failed = true;
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
