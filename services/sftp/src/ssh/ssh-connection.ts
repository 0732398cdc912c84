import type { AuthContext, Connection, ServerChannel, Session } from 'ssh2';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { SessionLogin, UserProfile } from '@tessera/contracts';
import { FileSession } from '@tessera/storage';
import {
  IdleTimer,
  keyFingerprint,
  LoginAttempts,
  loginOutcomes,
  type ConnectionLimits,
  type EventNotices,
  type LiveSessions,
  type Logins,
  type RegisteredSession,
} from '@tessera/door';
import { Authenticator } from '../login/authenticator';
import { parseHashCommand, runHashCommand } from './hash-command';
import type { SftpSettings } from '../settings';
import type { SftpContext } from '../sftp/context';
import { liveTransfers } from '../sftp/live-transfers';
import { OpenHandles } from '../sftp/open-handles';
import { SftpSession } from '../sftp/sftp-session';
import { refuseWithMessage, sftpOnlyMessage } from './refusals';

export interface DoorServices {
  config: TesseraConfig;
  settings: SftpSettings;
  logins: Logins;
  limits: ConnectionLimits;
  notices: EventNotices;
  /** Who is logged in to this door process: account changes and the operator end them there. */
  sessions: LiveSessions;
  logger: Logger;
  /** Live settings for file sessions, changed in place when settings change. */
  uploads: { keepPartial: boolean };
}

/** The only methods we take; told to the client after each refusal. */
const methods: AuthContext['method'][] = ['publickey', 'password'];
/** Session channels one connection may hold open at once (OpenSSH's sftp opens one; rclone a few). */
const maxChannelsPerConnection = 4;
/** Requests one SFTP session works on at once: OpenSSH's client keeps at most 64 in flight. */
const maxRequestsInFlight = 64;

/**
 * One SSH connection: its logins, its limits and timers, and its session channels, of which only
 * the `sftp` subsystem is served. Everything else (shell, exec, pty, env, X11, agent and port
 * forwarding) is refused; shell and exec with a message the client prints.
 */
export class SshConnection {
  private user: UserProfile | null = null;
  /** Gives back this user's login place under the limits, once, when the connection closes. */
  private releaseLogin: (() => void) | null = null;
  /** Set when the login succeeded but a limit is reached: said on the first channel, then we close. */
  private refusal: string | null = null;
  private channels = 0;
  private registration: RegisteredSession | null = null;
  /** The sftp subsystems of this login, whose files follow an account change. */
  private readonly sftp: SftpContext[] = [];
  private readonly log: Logger;
  private readonly logins: Authenticator;
  private readonly idle: IdleTimer;
  private readonly grace: IdleTimer;

  constructor(
    private readonly client: Connection,
    private readonly remoteAddress: string,
    private readonly door: DoorServices,
  ) {
    this.log = door.logger.child({ remoteAddress });
    const attempts = new LoginAttempts(door.notices, 'sftp', remoteAddress, this.log);
    this.logins = new Authenticator(door.logins, attempts, remoteAddress);
    this.idle = new IdleTimer(door.settings.idleTimeoutSeconds, () => this.close('idle timeout'));
    this.grace = new IdleTimer(door.settings.loginGraceSeconds, () =>
      this.close('no login in time'),
    );
  }

  start(): void {
    this.grace.touch();
    this.client.on('authentication', (ctx) => void this.authenticate(ctx));
    this.client.on('ready', () => {
      this.grace.stop();
      this.idle.touch();
    });
    this.client.on('session', (accept, reject) => {
      if (this.channels >= maxChannelsPerConnection) return reject();
      this.channels++;
      const session = accept();
      session.once('close', () => this.channels--);
      this.serve(session);
    });
    // Global requests: tcpip-forward and its kin. Channel opens for direct-tcpip, streamlocal
    // and X11 have no listener, so ssh2 refuses them as "administratively prohibited".
    this.client.on('request', (_accept, reject, name) => {
      this.log.info({ request: name }, 'forwarding refused');
      reject?.();
    });
    this.client.on('error', (err: Error) => this.log.debug({ err }, 'connection error'));
    this.client.on('close', () => this.closed());
  }

  private async authenticate(ctx: AuthContext): Promise<void> {
    const decision = await this.logins.decide(ctx);
    if (!loginOutcomes[decision.outcome].accept) {
      ctx.reject(methods);
      if (this.logins.exhausted) this.close('too many failed logins');
      return;
    }
    if (decision.outcome === 'accepted' && decision.user) this.admit(decision.user, loginOf(ctx));
    ctx.accept();
  }

  private admit(user: UserProfile, login: SessionLogin): void {
    const claim = this.door.limits.logIn(user.username);
    this.user = user;
    if (!claim.granted) {
      this.refusal = claim.reason;
      this.log.warn({ username: user.username, reason: claim.reason }, 'login over the limit');
      return;
    }
    this.releaseLogin = claim.release;
    this.registration = this.door.sessions.register({
      username: user.username,
      protocol: 'sftp',
      remoteAddress: this.remoteAddress,
      login,
      end: (reason) => this.close(reason),
      useProfile: (changed) => this.useProfile(changed),
      transfers: () => this.sftp.flatMap((sftp) => liveTransfers(sftp.handles)),
    });
    this.log.info(
      { username: user.username, method: login.method, session: this.registration.id },
      'logged in',
    );
  }

  /** An account change: requests from now on (hash commands too) use the new profile. */
  private useProfile(user: UserProfile): void {
    this.user = user;
    for (const { files } of this.sftp) files.useUser(user);
  }

  private serve(session: Session): void {
    const refuse = (what: string) => (_accept: unknown, reject?: () => void) => {
      // Clients send env (LANG, ...) routinely: not worth an info line.
      this.log[what === 'env' ? 'debug' : 'info']({ request: what }, 'session request refused');
      reject?.();
    };
    for (const what of ['pty', 'env', 'x11', 'auth-agent', 'window-change', 'signal'] as const) {
      session.on(what, refuse(what));
    }
    session.on('shell', (accept) => this.refuseChannel(accept(), 'shell'));
    session.on('exec', (accept, _reject, info) => {
      const hash = parseHashCommand(info.command);
      const files = hash && this.fileSession();
      if (!hash || !files) return this.refuseChannel(accept(), 'exec', info.command);
      this.idle.touch();
      void runHashCommand(accept(), hash, files);
    });
    session.on('subsystem', (accept, reject, info) => {
      if (info.name !== 'sftp') {
        this.log.info({ subsystem: info.name }, 'subsystem refused');
        return reject();
      }
      const channel = accept();
      try {
        this.startSftp(channel);
      } catch (error) {
        this.log.error({ err: error }, 'the sftp session could not start');
        refuseWithMessage(channel, 'the server could not open your files; try again later');
      }
    });
  }

  private refuseChannel(channel: ServerChannel, what: string, command?: string): void {
    this.log.info({ request: what, command }, 'refused: this server offers SFTP only');
    refuseWithMessage(channel, this.refusal ?? sftpOnlyMessage);
  }

  private startSftp(channel: ServerChannel): void {
    const user = this.user;
    const files = this.fileSession();
    if (!user || !files) {
      refuseWithMessage(channel, this.refusal ?? 'not logged in');
      setTimeout(() => this.client.end(), 100).unref();
      return;
    }
    const homesRoot = this.door.config.paths.homes;
    const log = this.log.child({ username: user.username });
    const handles = new OpenHandles(this.door.settings.maxHandles);
    const context = { files, handles, username: user.username, homesRoot, logger: log };
    this.sftp.push(context);
    const options = { maxInFlight: maxRequestsInFlight, onActivity: () => this.idle.touch() };
    new SftpSession(channel, context, options).start();
  }

  /** The logged-in user's files, or null before a login or after one over the limits. */
  private fileSession(): FileSession | null {
    const user = this.user;
    if (!user || this.refusal) return null;
    return new FileSession({
      homesRoot: this.door.config.paths.homes,
      user,
      protocol: 'sftp',
      remoteAddress: this.remoteAddress,
      notices: this.door.notices,
      maxFileSize: this.door.config.TESSERA_MAX_FILE_SIZE,
      keepPartialUploads: () => this.door.uploads.keepPartial,
    });
  }

  private close(reason: string): void {
    this.log.info({ username: this.user?.username, reason }, 'closing the connection');
    this.client.end();
  }

  private closed(): void {
    this.idle.stop();
    this.grace.stop();
    this.releaseLogin?.();
    this.releaseLogin = null;
    this.registration?.unregister();
    this.registration = null;
    if (this.user) this.log.info({ username: this.user.username }, 'disconnected');
  }
}

/** How an accepted login proved itself: a password, or a key (its SHA256 fingerprint). */
function loginOf(ctx: AuthContext): SessionLogin {
  return ctx.method === 'publickey'
    ? { method: 'publickey', fingerprint: keyFingerprint(ctx.key.data) }
    : { method: 'password' };
}
