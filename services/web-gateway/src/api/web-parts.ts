import type { Logger } from '@tessera/config';
import type { EventNotices, Logins } from '@tessera/door';
import type { FileSessions } from '../sessions/file-sessions';
import type { WebSessions } from '../sessions/web-sessions';

/** What the web module's routes use: plain objects made in start.ts. */
export interface WebParts {
  sessions: WebSessions;
  fileSessions: FileSessions;
  logins: { https: Logins; http: Logins };
  notices: EventNotices;
  logger: Logger;
}
