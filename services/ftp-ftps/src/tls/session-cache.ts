import { Server } from 'node:tls';

/** Sessions remembered for resumption by session ID (TLS 1.2 clients such as curl use IDs). */
const maxSessions = 20_000;
/** As long as a control connection may sensibly open data connections without a new handshake. */
const sessionLifetimeMs = 2 * 3600 * 1000;

/**
 * The server-side session cache for session-ID resumption. Node keeps none of its own (OpenSSL's
 * internal cache is off): a server resumes IDs only through `newSession`/`resumeSession` on a
 * `tls.Server`. Our sockets are upgraded by hand (AUTH TLS, data connections), so they name this
 * never-listening server as theirs (`TLSSocket`'s `server` option) to get its session events.
 * Ticket resumption (TLS 1.3, and 1.2 clients that send tickets) needs no cache: the secure
 * context's ticket keys, shared by every context TlsIdentity makes, decrypt the ticket.
 */
export class SessionCache {
  readonly server = new Server();
  private readonly sessions = new Map<string, { data: Buffer; expires: number }>();

  constructor() {
    this.server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.remember(id.toString('hex'), data);
      done();
    });
    this.server.on(
      'resumeSession',
      (id: Buffer, callback: (err: Error | null, data: Buffer | null) => void) => {
        const key = id.toString('hex');
        const entry = this.sessions.get(key);
        if (entry && entry.expires < Date.now()) this.sessions.delete(key);
        callback(null, entry && entry.expires >= Date.now() ? entry.data : null);
      },
    );
  }

  private remember(key: string, data: Buffer): void {
    if (this.sessions.size >= maxSessions) {
      // Oldest first: a Map keeps insertion order.
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    this.sessions.set(key, { data, expires: Date.now() + sessionLifetimeMs });
  }
}
