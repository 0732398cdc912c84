import type { DownloadTransfer, FileEntry, UploadTransfer } from '@tessera/storage';

/** What an SFTP handle stands for. */
export type OpenItem =
  | { kind: 'download'; transfer: DownloadTransfer }
  | {
      kind: 'upload';
      transfer: UploadTransfer;
      /** Times from FSETSTAT (`put -p`), applied to the file once it is in place. */
      pendingTimes?: { atime: Date; mtime: Date };
    }
  | { kind: 'folder'; path: string; entries: FileEntry[]; next: number };

/** The handle cap was reached: the client gets FAILURE and may close something first. */
export class TooManyHandles extends Error {}

/**
 * One SFTP session's open files and folders. Handles are 4-byte counters: opaque to the client,
 * never reused within a session, so a stale handle cannot reach a newer file.
 */
export class OpenHandles {
  private readonly items = new Map<number, OpenItem>();
  private counter = 0;

  constructor(readonly limit: number) {}

  get size(): number {
    return this.items.size;
  }

  /** Checked before opening, so a refused open leaves nothing half-opened behind. */
  assertRoom(): void {
    if (this.items.size >= this.limit) {
      throw new TooManyHandles(`at most ${this.limit} files and folders may be open at once`);
    }
  }

  add(item: OpenItem): Buffer {
    this.assertRoom();
    this.counter = (this.counter + 1) >>> 0;
    this.items.set(this.counter, item);
    const handle = Buffer.allocUnsafe(4);
    handle.writeUInt32BE(this.counter, 0);
    return handle;
  }

  get(handle: Buffer): OpenItem | undefined {
    return handle.length === 4 ? this.items.get(handle.readUInt32BE(0)) : undefined;
  }

  /** Forgets a handle and returns what it stood for. */
  remove(handle: Buffer): OpenItem | undefined {
    const item = this.get(handle);
    if (item) this.items.delete(handle.readUInt32BE(0));
    return item;
  }

  /** Everything open now, left open: for `tessera sessions list`. */
  list(): OpenItem[] {
    return [...this.items.values()];
  }

  /** Everything still open, emptied: for the end of the session. */
  drain(): OpenItem[] {
    const all = [...this.items.values()];
    this.items.clear();
    return all;
  }
}
