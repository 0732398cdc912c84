import { createHash, randomBytes } from 'node:crypto';
import type { KV, NatsConnection } from 'nats';
import { userProfileSchema, type LiveSession, type UserProfile } from '@tessera/contracts';
import { z } from 'zod';

/** What the store keeps of one web session. The cookie's value is never stored, only its hash. */
const recordSchema = z.object({
  user: userProfileSchema,
  csrfToken: z.string(),
  remoteAddress: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
});
export type WebSession = z.infer<typeof recordSchema>;

export interface SessionTimeouts {
  idleSeconds: number;
  maxAgeSeconds: number;
}

/** Only so often is "last seen" written back: a page's burst of requests costs one write. */
const touchEveryMs = 15_000;

/**
 * Opaque server-side web sessions in a NATS KV bucket (JetStream), not a JWT: ending one, or all
 * of a user's, takes effect on the next request of every gateway process. The bucket's TTL is the
 * absolute timeout, so entries of abandoned sessions disappear by themselves.
 */
export class WebSessions {
  private constructor(
    private readonly kv: KV,
    private readonly timeouts: SessionTimeouts,
  ) {}

  static async open(
    connection: NatsConnection,
    prefix: string,
    timeouts: SessionTimeouts,
  ): Promise<WebSessions> {
    const kv = await connection.jetstream().views.kv(bucketName(prefix), {
      history: 1,
      ttl: timeouts.maxAgeSeconds * 1000,
    });
    return new WebSessions(kv, timeouts);
  }

  /** A new session with a fresh id (never one the client brought) and its CSRF token. */
  async create(
    user: UserProfile,
    remoteAddress: string,
  ): Promise<{ id: string; session: WebSession }> {
    const id = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session: WebSession = {
      user,
      csrfToken: randomBytes(32).toString('base64url'),
      remoteAddress,
      createdAt: now,
      lastSeenAt: now,
    };
    await this.kv.put(keyOf(id), JSON.stringify(session));
    return { id, session };
  }

  /** The live session for a cookie value, or null (unknown, idle too long, too old). */
  async find(id: string | undefined): Promise<WebSession | null> {
    if (!id || id.length > 128) return null;
    const key = keyOf(id);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return null;
    const parsed = recordSchema.safeParse(JSON.parse(entry.string()));
    if (!parsed.success) return null;
    const session = parsed.data;
    const now = Date.now();
    if (!this.alive(session, now)) {
      await this.kv.delete(key);
      return null;
    }
    if (now - session.lastSeenAt > touchEveryMs) {
      session.lastSeenAt = now;
      await this.kv.put(key, JSON.stringify(session));
    }
    return session;
  }

  async end(id: string | undefined): Promise<void> {
    if (id && id.length <= 128) await this.kv.delete(keyOf(id));
  }

  /** Ends every session of a user (disabled, deleted): their next request is logged out. */
  async endUser(username: string): Promise<number> {
    return this.forEachOf(username, (key) => this.kv.delete(key));
  }

  /** Gives every session of a user a changed profile (privileges, folder set, home, quota). */
  async useProfile(user: UserProfile): Promise<number> {
    return this.forEachOf(user.username, async (key, session) => {
      await this.kv.put(key, JSON.stringify({ ...session, user }));
    });
  }

  /** The sessions alive now, as `tessera sessions list` shows them (no transfers: see README). */
  async live(): Promise<LiveSession[]> {
    const now = Date.now();
    const found: LiveSession[] = [];
    await this.forEach((key, session) => {
      if (!this.alive(session, now)) return;
      found.push({
        // Part of the key (the hash of the cookie, never the cookie): enough to tell them apart.
        id: `web-${key.slice(0, 16)}`,
        username: session.user.username,
        protocol: 'https',
        remoteAddress: session.remoteAddress.slice(0, 64),
        since: new Date(session.createdAt).toISOString(),
        login: { method: 'password' },
        transfers: [],
      });
    });
    return found;
  }

  /** The users with a session now (after a reconnect, each is checked again). */
  async usernames(): Promise<string[]> {
    const names = new Set<string>();
    await this.forEach((_key, session) => void names.add(session.user.username));
    return [...names];
  }

  private alive(session: WebSession, now: number): boolean {
    return (
      now - session.lastSeenAt <= this.timeouts.idleSeconds * 1000 &&
      now - session.createdAt <= this.timeouts.maxAgeSeconds * 1000
    );
  }

  private async forEachOf(
    username: string,
    act: (key: string, session: WebSession) => Promise<void>,
  ): Promise<number> {
    let count = 0;
    await this.forEach(async (key, session) => {
      if (session.user.username !== username) return;
      await act(key, session);
      count++;
    });
    return count;
  }

  private async forEach(act: (key: string, session: WebSession) => Promise<void> | void) {
    const keys: string[] = [];
    for await (const key of await this.kv.keys()) keys.push(key);
    for (const key of keys) {
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue;
      const parsed = recordSchema.safeParse(JSON.parse(entry.string()));
      if (parsed.success) await act(key, parsed.data);
    }
  }

  /** For tests: removes the bucket. */
  async destroy(): Promise<void> {
    await this.kv.destroy();
  }
}

/** One bucket per bus prefix (test runs and installs sharing a NATS stay apart). */
export function bucketName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9_-]/g, '_')}web-sessions`;
}

function keyOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
