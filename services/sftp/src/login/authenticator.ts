import { randomUUID } from 'node:crypto';
import type { AuthContext } from 'ssh2';
import type { Logger } from '@tessera/config';
import type { EventNotices } from '@tessera/door';
import { loginOutcomes, maxFailuresPerConnection } from './login-outcomes';
import type { LoginDecision, Logins } from './logins';

/**
 * The login attempts of one SSH connection: turns each of ssh2's authentication requests into a
 * decision, and reports the failures (log line and `sessions.login.failed`). Answering the client
 * is the connection's job: it also has limits to apply before letting anyone in.
 */
export class Authenticator {
  private failures = 0;

  constructor(
    private readonly logins: Logins,
    private readonly notices: Pick<EventNotices, 'loginFailed'>,
    private readonly remoteAddress: string,
    private readonly log: Logger,
  ) {}

  /** OpenSSH's MaxAuthTries: after this many failures the connection should be closed. */
  get exhausted(): boolean {
    return this.failures >= maxFailuresPerConnection;
  }

  /** Never rejects: a failure of user-auth or the bus is a refused login, not a crash. */
  async decide(ctx: AuthContext): Promise<LoginDecision> {
    let decision: LoginDecision;
    try {
      decision = await this.ask(ctx);
    } catch (error) {
      this.log.error({ err: error }, 'login check failed');
      decision = { outcome: 'auth-unavailable' };
    }
    if (loginOutcomes[decision.outcome].failure) this.reportFailure(ctx, decision);
    return decision;
  }

  private ask(ctx: AuthContext): Promise<LoginDecision> {
    if (ctx.method === 'password') {
      return this.logins.withPassword(ctx.username, ctx.password, this.remoteAddress);
    }
    if (ctx.method === 'publickey') {
      const attempt = {
        username: ctx.username,
        algorithm: ctx.key.algo,
        key: ctx.key.data,
        signature: ctx.signature,
        signedData: ctx.blob,
        hashAlgorithm: ctx.hashAlgo,
      };
      return this.logins.withPublicKey(attempt, this.remoteAddress);
    }
    return Promise.resolve({ outcome: 'method-not-offered' });
  }

  private reportFailure(ctx: AuthContext, decision: LoginDecision): void {
    this.failures++;
    const { reason } = loginOutcomes[decision.outcome];
    const detail = decision.detail ? `${reason}: ${decision.detail}` : reason;
    this.log.warn({ username: ctx.username, method: ctx.method, reason: detail }, 'login failed');
    this.notices
      .loginFailed({
        eventId: randomUUID(),
        username: ctx.username.slice(0, 256),
        protocol: 'sftp',
        remoteAddress: this.remoteAddress,
        reason: detail.slice(0, 256),
        at: new Date().toISOString(),
      })
      .catch((err: unknown) =>
        this.log.error(
          { err, username: ctx.username },
          'login-failed event could not be published',
        ),
      );
  }
}
