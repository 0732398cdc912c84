import { randomUUID } from 'node:crypto';
import type {
  filesDeleted,
  filesDownloaded,
  filesRenamed,
  filesUploaded,
  foldersCreated,
  PayloadOf,
  Protocol,
} from '@tessera/contracts';
import { NoticeError } from './errors';

export type UploadedNotice = PayloadOf<typeof filesUploaded>;
export type DownloadedNotice = PayloadOf<typeof filesDownloaded>;
export type DeletedNotice = PayloadOf<typeof filesDeleted>;
export type RenamedNotice = PayloadOf<typeof filesRenamed>;
export type FolderCreatedNotice = PayloadOf<typeof foldersCreated>;

/**
 * Where a session reports what happened. The service implements it (publishing to JetStream);
 * the storage library never talks to the network itself. Each method is awaited after the file
 * operation succeeded; a rejection comes back to the caller as a NoticeError.
 */
export interface NoticeSink {
  uploaded(event: UploadedNotice): Promise<void>;
  downloaded(event: DownloadedNotice): Promise<void>;
  deleted(event: DeletedNotice): Promise<void>;
  renamed(event: RenamedNotice): Promise<void>;
  folderCreated(event: FolderCreatedNotice): Promise<void>;
}

/** Who is acting: the fields every notice of one session shares. */
export interface NoticeOrigin {
  username: string;
  protocol: Protocol;
  remoteAddress?: string;
}

type EventFields<T> = Omit<T, 'eventId' | 'username' | 'protocol' | 'remoteAddress' | 'endedAt'>;

/** Fills in the shared fields, stamps the end time and a fresh event id, and sends. */
export class Reporter {
  constructor(
    private readonly origin: NoticeOrigin,
    private readonly sink: NoticeSink | undefined,
  ) {}

  uploaded(fields: EventFields<UploadedNotice>): Promise<void> {
    return this.send('uploaded', fields);
  }
  downloaded(fields: EventFields<DownloadedNotice>): Promise<void> {
    return this.send('downloaded', fields);
  }
  deleted(fields: EventFields<DeletedNotice>): Promise<void> {
    return this.send('deleted', fields);
  }
  renamed(fields: EventFields<RenamedNotice>): Promise<void> {
    return this.send('renamed', fields);
  }
  folderCreated(fields: EventFields<FolderCreatedNotice>): Promise<void> {
    return this.send('folderCreated', fields);
  }

  private async send<K extends keyof NoticeSink>(
    kind: K,
    fields: EventFields<Parameters<NoticeSink[K]>[0]>,
  ): Promise<void> {
    if (!this.sink) return;
    const { remoteAddress, ...origin } = this.origin;
    const event = {
      eventId: randomUUID(),
      ...origin,
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
      ...fields,
      endedAt: new Date().toISOString(),
    } as Parameters<NoticeSink[K]>[0];
    try {
      // The cast is sound: `event` is built from exactly the fields of this kind's payload.
      await (this.sink[kind] as (e: typeof event) => Promise<void>).call(this.sink, event);
    } catch (error) {
      throw new NoticeError(kind, event, error);
    }
  }
}

export function now(): string {
  return new Date().toISOString();
}
