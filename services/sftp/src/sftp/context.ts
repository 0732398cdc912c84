import type { Logger } from '@tessera/config';
import type { FileSession } from '@tessera/storage';
import type { OpenHandles } from './open-handles';

/** What every request handler works with: one login's files and this session's handles. */
export interface SftpContext {
  files: FileSession;
  handles: OpenHandles;
  /** Shown as owner and group in `ls -l` lines. */
  username: string;
  /** The storage root's homes folder: `statvfs@openssh.com` reports on its volume. */
  homesRoot: string;
  logger: Logger;
}
