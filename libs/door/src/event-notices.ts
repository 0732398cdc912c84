import type { JetStreamClient } from 'nats';
import { publishEvent } from '@tessera/bus';
import {
  filesDeleted,
  filesDownloaded,
  filesRenamed,
  filesUploaded,
  foldersCreated,
  sessionsLoginFailed,
  type PayloadOf,
} from '@tessera/contracts';
import type {
  DeletedNotice,
  DownloadedNotice,
  FolderCreatedNotice,
  NoticeSink,
  RenamedNotice,
  UploadedNotice,
} from '@tessera/storage';

export type LoginFailedEvent = PayloadOf<typeof sessionsLoginFailed>;

/**
 * Storage's notices, and the door's own login failures, published into JetStream. Each publish
 * waits for the stream's acknowledgement; a failure rejects, and the caller logs it loudly (the
 * file operation itself is already done). Durable retry of unsent events is the notices issue (18).
 */
export class EventNotices implements NoticeSink {
  constructor(
    private readonly js: JetStreamClient,
    private readonly prefix: string,
  ) {}

  uploaded(event: UploadedNotice): Promise<void> {
    return publishEvent(this.js, filesUploaded, event, this.prefix);
  }
  downloaded(event: DownloadedNotice): Promise<void> {
    return publishEvent(this.js, filesDownloaded, event, this.prefix);
  }
  deleted(event: DeletedNotice): Promise<void> {
    return publishEvent(this.js, filesDeleted, event, this.prefix);
  }
  renamed(event: RenamedNotice): Promise<void> {
    return publishEvent(this.js, filesRenamed, event, this.prefix);
  }
  folderCreated(event: FolderCreatedNotice): Promise<void> {
    return publishEvent(this.js, foldersCreated, event, this.prefix);
  }
  loginFailed(event: LoginFailedEvent): Promise<void> {
    return publishEvent(this.js, sessionsLoginFailed, event, this.prefix);
  }
}
