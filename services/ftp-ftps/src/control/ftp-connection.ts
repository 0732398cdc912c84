import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Logger } from '@tessera/config';
import type { LiveTransfer, UserProfile } from '@tessera/contracts';
import { IdleTimer, LoginAttempts, type RegisteredSession } from '@tessera/door';
import type { FileSession } from '@tessera/storage';
import type { DataOpening } from '../data/data-connection';
import { upgradeToTls } from '../tls/upgrade';
import { commands, notLoggedIn, secureFirst } from './commands';
import type { DoorServices, Entry } from './door-services';
import { LineReader } from './line-reader';
import { formatReply, type Reply } from './replies';

/** A transfer in progress: ABOR cuts it and waits for its reply before its own. */
export interface RunningTransfer {
  abort(): void;
  settled: Promise<void>;
  /** The file moving, as `tessera sessions list` shows it; null for a listing. */
  moving(): LiveTransfer | null;
}

/**
 * One FTP control connection: reads commands one line at a time and answers them in order (a
 * transfer's command finishes before the next one is read, except ABOR, which is taken at once
 * so it can cut the transfer). Holds the session's state: TLS, login, current folder (in its
 * FileSession), data opening (PASV or PORT), REST offset, RNFR name.
 */
export class FtpConnection {
  readonly log: Logger;
  /** The control connection now: the accepted socket, or its TLS socket after AUTH TLS. */
  private control: Socket | TLSSocket;
  private reader: LineReader | null = null;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly attempts = new Map<'ftp' | 'ftps', LoginAttempts>();
  readonly idle: IdleTimer;
  private readonly grace: IdleTimer;
  private releaseLogin: (() => void) | null = null;
  private registration: RegisteredSession | null = null;

  /** The TLS context the session started with: its data connections use the same one. */
  tlsContext: SecureContext | null = null;
  /** PROT: 'P' (data over TLS) or 'C' (clear). Implicit FTPS starts protected. */
  protection: 'C' | 'P';
  pendingUser: string | null = null;
  user: UserProfile | null = null;
  files: FileSession | null = null;
  /** Where the next transfer's data connection comes from: PASV/EPSV's listener, or PORT/EPRT's address. */
  dataOpening: DataOpening | null = null;
  /** After EPSV ALL only EPSV may open a data connection (RFC 2428). */
  epsvOnly = false;
  restOffset = 0;
  renameFrom: string | null = null;
  transfer: RunningTransfer | null = null;
  readonly localAddress: string;

  constructor(
    private readonly raw: Socket,
    readonly remoteAddress: string,
    readonly entry: Entry,
    readonly door: DoorServices,
    private readonly releaseConnection: () => void,
  ) {
    this.control = raw;
    this.localAddress = raw.localAddress ?? '127.0.0.1';
    this.protection = entry === 'implicit' ? 'P' : 'C';
    this.log = door.logger.child({ remoteAddress, entry });
    this.idle = new IdleTimer(door.settings.idleTimeoutSeconds, () => this.close('idle timeout'));
    this.grace = new IdleTimer(door.settings.loginGraceSeconds, () =>
      this.close('no login in time'),
    );
  }

  get secure(): boolean {
    return this.tlsContext !== null;
  }

  get protocol(): 'ftp' | 'ftps' {
    return this.secure ? 'ftps' : 'ftp';
  }

  start(): void {
    this.raw.on('error', (err) => this.log.debug({ err }, 'control connection error'));
    this.raw.on('close', () => this.onClose());
    this.grace.touch();
    if (this.entry === 'implicit') {
      void this.secureControl().then((ok) => ok && this.greet());
    } else {
      this.readFrom(this.raw);
      this.greet();
    }
  }

  reply(code: number, text: string): void {
    this.send({ code, text });
  }

  send(reply: Reply): void {
    if (this.closed || this.control.destroyed) return;
    this.control.write(formatReply(reply));
  }

  attemptsFor(protocol: 'ftp' | 'ftps'): LoginAttempts {
    let attempts = this.attempts.get(protocol);
    if (!attempts) {
      attempts = new LoginAttempts(this.door.notices, protocol, this.remoteAddress, this.log);
      this.attempts.set(protocol, attempts);
    }
    return attempts;
  }

  get loginsExhausted(): boolean {
    return [...this.attempts.values()].some((a) => a.exhausted);
  }

  /** A login went through and holds a place under the limits until the connection closes. */
  loggedIn(user: UserProfile, files: FileSession, release: () => void): void {
    this.user = user;
    this.files = files;
    this.releaseLogin = release;
    this.grace.stop();
    this.idle.touch();
    this.registration = this.door.sessions.register({
      username: user.username,
      protocol: this.protocol,
      remoteAddress: this.remoteAddress,
      login: { method: 'password' },
      end: (reason) => this.close(reason),
      useProfile: (changed) => this.useProfile(changed),
      transfers: () => {
        const moving = this.transfer?.moving();
        return moving ? [moving] : [];
      },
    });
  }

  /** The registry's id for this session (logs carry it), once logged in. */
  get sessionId(): string | undefined {
    return this.registration?.id;
  }

  /** An account change: the next command works with the new profile (a transfer running keeps its file). */
  private useProfile(user: UserProfile): void {
    this.files?.useUser(user);
    this.user = user;
  }

  /**
   * AUTH TLS: stop reading clear text at once (bytes after the command line belong to the TLS
   * handshake and are handed to it), say 234, then shake hands. ftp-srv wrapped the socket only
   * after writing 234 while its parser still read, and could eat the ClientHello.
   */
  startTls(): void {
    const rest = this.reader?.stop() ?? Buffer.alloc(0);
    this.reader = null;
    if (rest.length) this.raw.unshift(rest);
    this.raw.write(formatReply({ code: 234, text: 'AUTH TLS: go ahead with the TLS handshake' }));
    // The TLS layer takes over the socket now; the 234 is already queued ahead of its bytes.
    void this.secureControl();
  }

  /** Sends the reply, then closes the connection (QUIT, 421s). */
  end(reply: Reply): void {
    this.send(reply);
    this.closed = true;
    this.control.end();
    setTimeout(() => this.control.destroy(), 2000).unref();
  }

  /** Ends the session now: a running transfer is cut too, not left to finish. */
  close(reason: string): void {
    this.log.info({ username: this.user?.username, reason }, 'closing the connection');
    this.end({ code: 421, text: `${reason}; closing the connection` });
    this.dataOpening?.close();
    this.transfer?.abort();
  }

  private greet(): void {
    this.reply(220, 'Tessera FTP server ready');
  }

  private async secureControl(): Promise<boolean> {
    const context = this.door.tls.context();
    const timeoutMs = this.door.settings.dataTimeoutSeconds * 1000;
    try {
      const secure = await upgradeToTls(this.raw, context, this.door.tls.cache, timeoutMs);
      secure.on('error', (err) => this.log.debug({ err }, 'control connection TLS error'));
      this.control = secure;
      this.tlsContext = context;
      this.pendingUser = null; // RFC 4217: a USER before AUTH does not carry over
      this.readFrom(secure);
      return true;
    } catch (err) {
      this.log.info({ reason: (err as Error).message }, 'TLS handshake failed');
      this.raw.destroy();
      return false;
    }
  }

  private readFrom(socket: Socket): void {
    this.reader = new LineReader(
      socket,
      (line) => this.onLine(line),
      () => this.close('command line too long'),
    );
  }

  private onLine(line: string): void {
    const space = line.indexOf(' ');
    const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
    const argument = space === -1 ? '' : line.slice(space + 1);
    this.log.debug({ verb, argument: verb === 'PASS' ? '***' : argument }, 'command');
    if (verb === 'ABOR' && this.transfer) {
      void this.abort();
      return;
    }
    this.queue = this.queue.then(() => this.dispatch(verb, argument));
  }

  private async abort(): Promise<void> {
    const transfer = this.transfer;
    if (!transfer) return;
    transfer.abort();
    await transfer.settled;
    this.reply(226, 'ABOR: the transfer was aborted');
  }

  private async dispatch(verb: string, argument: string): Promise<void> {
    if (this.closed) return;
    if (this.user) this.idle.touch();
    const command = commands[verb];
    if (!command) return this.reply(502, `${verb.slice(0, 16)}: command not implemented`);
    if (!this.secure && !this.user && !command.beforeTls && !this.door.live()['ftp.plain']) {
      return this.send(secureFirst);
    }
    if (!this.user && !command.beforeLogin) return this.send(notLoggedIn);
    try {
      await command.run(this, argument);
    } catch (err) {
      this.log.error({ err, verb }, 'command failed');
      this.reply(451, 'the server could not complete the command; try again');
    }
  }

  private released = false;

  private onClose(): void {
    if (this.released) return;
    this.released = true;
    this.closed = true;
    this.idle.stop();
    this.grace.stop();
    this.dataOpening?.close();
    this.transfer?.abort();
    this.releaseLogin?.();
    this.registration?.unregister();
    this.registration = null;
    this.releaseConnection();
    if (this.user) this.log.info({ username: this.user.username }, 'disconnected');
  }
}
