import { createHash } from 'node:crypto';
import os from 'node:os';
import type { Logger } from '@tessera/config';
import type {
  LiveSession,
  LiveTransfer,
  Protocol,
  SessionLogin,
  UserProfile,
} from '@tessera/contracts';

/** What a door tells the registry about a session it has let in. */
export interface SessionEntry {
  username: string;
  protocol: Protocol;
  remoteAddress: string;
  login: SessionLogin;
  /** Ends the session now (closes the connection); said to the log by the registry. */
  end(reason: string): void;
  /** The account changed: from its next request on, the session works with this profile. */
  useProfile(user: UserProfile): void;
  /** Files moving now; read only when someone asks, from what the door holds open anyway. */
  transfers(): LiveTransfer[];
}

/** The registry's receipt: the door unregisters when the session closes, however it closed. */
export interface RegisteredSession {
  readonly id: string;
  unregister(): void;
}

interface Held {
  id: string;
  since: Date;
  entry: SessionEntry;
}

/**
 * Who is logged in to one door process: over which protocol, from where, since when, how they
 * logged in and what is moving. Protocol-neutral: the SFTP, FTP and web doors each keep one.
 * Ending goes through here (an account change, the operator), so each end is logged once with
 * its reason, and an ended session leaves the registry at once.
 */
export class LiveSessions {
  private readonly held = new Map<string, Held>();
  private counter = 0;

  constructor(
    readonly service: string,
    private readonly logger: Logger,
    /** Which process this is, as `tessera sessions list` shows it: replicas differ. */
    readonly instance = `${os.hostname()}:${process.pid}`,
  ) {}

  register(entry: SessionEntry): RegisteredSession {
    const id = `${this.service}-${++this.counter}`;
    this.held.set(id, { id, since: new Date(), entry });
    return { id, unregister: () => this.held.delete(id) };
  }

  get size(): number {
    return this.held.size;
  }

  list(): LiveSession[] {
    return [...this.held.values()].map(({ id, since, entry }) => ({
      id,
      username: entry.username,
      protocol: entry.protocol,
      remoteAddress: entry.remoteAddress,
      since: since.toISOString(),
      login: entry.login,
      transfers: entry.transfers(),
    }));
  }

  /** The users with at least one session here. */
  usernames(): string[] {
    return [...new Set([...this.held.values()].map((h) => h.entry.username))];
  }

  /** The fingerprints of the keys a user's sessions here logged in with. */
  keysOf(username: string): string[] {
    const keys = this.of(username).map(({ entry }) =>
      entry.login.method === 'publickey' ? entry.login.fingerprint : null,
    );
    return [...new Set(keys.filter((k): k is string => k !== null))];
  }

  /** Ends every session of the user here; returns how many. */
  endUser(username: string, reason: string): number {
    return this.end(this.of(username), reason);
  }

  /** Ends the user's sessions that logged in with one of these keys. */
  endKeys(username: string, fingerprints: readonly string[], reason: string): number {
    const gone = new Set(fingerprints);
    return this.end(
      this.of(username).filter(
        ({ entry }) => entry.login.method === 'publickey' && gone.has(entry.login.fingerprint),
      ),
      reason,
    );
  }

  /** Ends the user's sessions that logged in with a password. */
  endPasswordLogins(username: string, reason: string): number {
    return this.end(
      this.of(username).filter(({ entry }) => entry.login.method === 'password'),
      reason,
    );
  }

  /** Gives the user's open sessions the changed profile; returns how many took it. */
  useProfile(user: UserProfile): number {
    let applied = 0;
    for (const { id, entry } of this.of(user.username)) {
      try {
        entry.useProfile(user);
        applied++;
      } catch (err) {
        // A profile the session cannot take (a home that is no longer valid): it must not go on
        // with the old rights.
        this.logger.error({ err, session: id }, 'the changed account could not be applied');
        this.end([this.held.get(id)!], 'the changed account could not be applied');
      }
    }
    return applied;
  }

  private of(username: string): Held[] {
    return [...this.held.values()].filter((h) => h.entry.username === username);
  }

  private end(sessions: Held[], reason: string): number {
    for (const { id, entry, since } of sessions) {
      this.held.delete(id);
      this.logger.info(
        {
          session: id,
          username: entry.username,
          protocol: entry.protocol,
          remoteAddress: entry.remoteAddress,
          login: entry.login.method,
          since: since.toISOString(),
          reason,
        },
        'session ended',
      );
      try {
        entry.end(reason);
      } catch (err) {
        this.logger.error({ err, session: id }, 'the session could not be ended cleanly');
      }
    }
    return sessions.length;
  }
}

/** A public key's SHA256 fingerprint as `ssh-keygen -l` and user-auth print it. */
export function keyFingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}
