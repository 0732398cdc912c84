import type { SecureContext } from 'node:tls';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { Settings } from '@tessera/contracts';
import type { ConnectionLimits, EventNotices, LiveSessions, Logins } from '@tessera/door';
import type { PassivePorts } from '../data/passive-ports';
import type { FtpSettings } from '../settings';
import type { SessionCache } from '../tls/session-cache';

/** What every connection of the door shares. */
export interface DoorServices {
  config: TesseraConfig;
  settings: FtpSettings;
  logger: Logger;
  /** Logins as 'ftp' (clear control connection) or 'ftps' (TLS), as the events name them. */
  logins: Record<'ftp' | 'ftps', Logins>;
  limits: ConnectionLimits;
  notices: EventNotices;
  /** The TLS context for a new session (pki's active certificate) and the session-ID cache. */
  tls: { context: () => SecureContext; cache: SessionCache };
  passivePorts: PassivePorts;
  /** Who is logged in here: `tessera sessions`, and account changes reach them through it. */
  sessions: LiveSessions;
  /** The live settings as they are now. */
  live: () => Settings;
}

/** How a client reached the door: the FTP port (plain, AUTH TLS) or the implicit FTPS port. */
export type Entry = 'ftp-port' | 'implicit';
