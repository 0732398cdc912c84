import path from 'node:path';
import { ensureEventStream, publishEvent, type AnnouncementSource } from '@tessera/bus';
import type { Logger } from '@tessera/config';
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
import { EventSpool, type SpoolCounts } from './event-spool';

export type LoginFailedEvent = PayloadOf<typeof sessionsLoginFailed>;

export interface EventNoticesOptions {
  /** The door's spool folder: `<config.paths.spool>/<door>`. */
  folder: string;
  logger: Logger;
  /** How long to wait before trying JetStream again after it refused or did not answer. */
  retryMs?: number;
  /** How long one publish waits for JetStream's acknowledgement. */
  publishTimeoutMs?: number;
}

/**
 * Storage's notices, and the door's own login failures, on their way into JetStream through the
 * door's spool (EventSpool): each method resolves once the event is safely on the door's disk,
 * so a transfer is reported done only when its event cannot be lost; sending follows in order,
 * and again after a reconnect or a restart.
 */
export class EventNotices implements NoticeSink {
  private readonly stopWatching: () => void;

  constructor(
    private readonly spool: EventSpool,
    bus: AnnouncementSource,
  ) {
    this.stopWatching = watchReconnects(bus, () => spool.kick());
  }

  /** Opens the door's spool (taking up what an earlier run left) and starts sending. */
  static async open(
    bus: AnnouncementSource,
    { folder, logger, retryMs, publishTimeoutMs = 5000 }: EventNoticesOptions,
  ): Promise<EventNotices> {
    const js = bus.connection.jetstream({ timeout: publishTimeoutMs });
    const spool = new EventSpool(
      folder,
      (contract, payload) => publishEvent(js, contract, payload as never, bus.prefix),
      logger,
      retryMs,
    );
    return new EventNotices(await spool.open(), bus);
  }

  /** The door's spool folder under the data folder. */
  static folderOf(spoolRoot: string, door: string): string {
    return path.join(spoolRoot, door);
  }

  get spooled(): SpoolCounts {
    return this.spool.status;
  }

  uploaded(event: UploadedNotice): Promise<void> {
    return this.spool.add(filesUploaded, event);
  }
  downloaded(event: DownloadedNotice): Promise<void> {
    return this.spool.add(filesDownloaded, event);
  }
  deleted(event: DeletedNotice): Promise<void> {
    return this.spool.add(filesDeleted, event);
  }
  renamed(event: RenamedNotice): Promise<void> {
    return this.spool.add(filesRenamed, event);
  }
  folderCreated(event: FolderCreatedNotice): Promise<void> {
    return this.spool.add(foldersCreated, event);
  }
  loginFailed(event: LoginFailedEvent): Promise<void> {
    return this.spool.add(sessionsLoginFailed, event);
  }

  /** Stops sending; unsent events stay in the spool for the next start. */
  async close(): Promise<void> {
    this.stopWatching();
    await this.spool.close();
  }
}

/** Calls `onReconnect` each time the connection comes back, until the returned stop is called. */
function watchReconnects(bus: AnnouncementSource, onReconnect: () => void): () => void {
  let watching = true;
  void (async () => {
    for await (const status of bus.connection.status()) {
      if (!watching) return;
      if (status.type === 'reconnect') onReconnect();
    }
  })().catch(() => undefined);
  return () => {
    watching = false;
  };
}

/**
 * A door's events at start: the stream is made (or widened) first; if JetStream is down the door
 * serves anyway, its events waiting in the spool on the data volume until JetStream takes them.
 */
export async function openDoorEvents(
  bus: AnnouncementSource,
  { spoolRoot, door, logger }: { spoolRoot: string; door: string; logger: Logger },
): Promise<EventNotices> {
  await ensureEventStream(bus.connection, bus.prefix).catch((err: unknown) =>
    logger.error(
      { err },
      'JetStream is unreachable: file events wait in the spool until it is back',
    ),
  );
  return EventNotices.open(bus, { folder: EventNotices.folderOf(spoolRoot, door), logger });
}
