import type { TesseraConfig } from '@tessera/config';
import type { UserProfile } from '@tessera/contracts';
import { FileSession, type NoticeSink } from '@tessera/storage';

/** A web session's FileSession is kept this long after its last request, then made anew. */
const keepMs = 60_000;

/**
 * One FileSession per web session, reused across its requests (a quota'd home is measured when
 * a FileSession starts: not on every click), made anew when the profile changed.
 */
export class FileSessions {
  private readonly open = new Map<
    string,
    { files: FileSession; profile: string; usedAt: number }
  >();

  constructor(
    private readonly config: TesseraConfig,
    private readonly notices: NoticeSink,
    readonly stagingRoot: string,
  ) {}

  for(sessionKey: string, user: UserProfile, remoteAddress: string): FileSession {
    this.sweep();
    const profile = JSON.stringify(user);
    const kept = this.open.get(sessionKey);
    if (kept && kept.profile === profile) {
      kept.usedAt = Date.now();
      return kept.files;
    }
    const files = new FileSession({
      homesRoot: this.config.paths.homes,
      user,
      protocol: 'https',
      remoteAddress,
      notices: this.notices,
      maxFileSize: this.config.TESSERA_MAX_FILE_SIZE,
      stagingRoot: this.stagingRoot,
    });
    this.open.set(sessionKey, { files, profile, usedAt: Date.now() });
    return files;
  }

  forget(sessionKey: string): void {
    this.open.delete(sessionKey);
  }

  private sweep(): void {
    const old = Date.now() - keepMs;
    for (const [key, { usedAt }] of this.open) if (usedAt < old) this.open.delete(key);
  }
}
