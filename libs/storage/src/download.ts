import type { FileHandle } from 'node:fs/promises';
import { pipeline, Transform, type Readable } from 'node:stream';
import { StorageError } from './errors';
import { now, type Reporter } from './notices';
import { readAt } from './positional-read';

export { maxReadLength } from './positional-read';

/**
 * One open file being read. Positional `read` serves SFTP: `close()` it, also after an error.
 * `stream` serves FTP and HTTP and closes the transfer itself when it ends, fails or is destroyed.
 * Closing releases the file and reports the download with the bytes actually read out (what
 * reached the protocol layer, not what the client stored).
 */
export class DownloadTransfer {
  private readonly startedAt = now();
  private readonly startedAtMs = Date.now();
  private bytesSent = 0;
  private closing: Promise<void> | null = null;

  constructor(
    readonly virtualPath: string,
    /** The size when the file was opened. */
    readonly size: number,
    private readonly handle: FileHandle,
    private readonly reporter: Reporter,
  ) {}

  /** Bytes read out so far (the transfer log's count). */
  get bytesRead(): number {
    return this.bytesSent;
  }

  /** Milliseconds since the file was opened. */
  get elapsedMs(): number {
    return Date.now() - this.startedAtMs;
  }

  /** Up to `length` bytes at `position`; an empty buffer means end of file. */
  async read(length: number, position: number): Promise<Buffer> {
    this.assertOpen();
    const data = await readAt(this.handle, length, position, this.virtualPath);
    this.bytesSent += data.length;
    return data;
  }

  /**
   * A stream of the file from `start` to `end` (both inclusive, as HTTP ranges count), read in
   * chunks from disk. The stream is the transfer's last use: once it has closed (read to the end,
   * failed, or destroyed by a cut connection) the file is released and the download reported.
   * A notice that could not be sent does not fail the stream (the bytes went out): `close()`
   * answers it.
   */
  stream(range: { start?: number; end?: number } = {}): Readable {
    this.assertOpen();
    const source = this.handle.createReadStream({ ...range, autoClose: false });
    // Count in a pass-through stage: a 'data' listener on the source would start it flowing
    // before the caller attaches, and chunks would be lost.
    const counted = new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        this.bytesSent += chunk.length;
        done(null, chunk);
      },
    });
    pipeline(source, counted, () => undefined); // errors reach the caller through `counted`
    counted.once('close', () => void this.close().catch(() => undefined));
    return counted;
  }

  /** Releases the file and reports the download once; later calls wait for the first. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    await this.handle.close().catch(() => undefined); // nothing to lose on a read-only handle
    await this.reporter.downloaded({
      path: this.virtualPath,
      size: this.bytesSent,
      startedAt: this.startedAt,
    });
  }

  private assertOpen(): void {
    if (this.closing)
      throw new StorageError('io-error', this.virtualPath, 'the download is closed');
  }
}
