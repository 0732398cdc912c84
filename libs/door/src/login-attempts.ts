import { randomUUID } from 'node:crypto';
import type { Logger } from '@tessera/config';
import type { Protocol } from '@tessera/contracts';
import type { EventNotices } from './event-notices';
import { loginOutcomes, maxFailuresPerConnection } from './login-outcomes';
import type { LoginDecision } from './logins';

/**
 * The login attempts of one connection, in any protocol: each decision is made safe (a failure of
 * user-auth or the bus is a refused login, not a crash) and each failure reported (log line and
 * `sessions.login.failed`) and counted towards the per-connection limit.
 */
export class LoginAttempts {
  private failures = 0;

  constructor(
    private readonly notices: Pick<EventNotices, 'loginFailed'>,
    private readonly protocol: Protocol,
    private readonly remoteAddress: string,
    private readonly log: Logger,
  ) {}

  /** OpenSSH's MaxAuthTries: after this many failures the connection should be closed. */
  get exhausted(): boolean {
    return this.failures >= maxFailuresPerConnection;
  }

  /** Never rejects. `method` is the protocol's own word ("password", "publickey"). */
  async decide(
    username: string,
    method: string,
    ask: () => Promise<LoginDecision>,
  ): Promise<LoginDecision> {
    let decision: LoginDecision;
    try {
      decision = await ask();
    } catch (error) {
      this.log.error({ err: error }, 'login check failed');
      decision = { outcome: 'auth-unavailable' };
    }
    if (loginOutcomes[decision.outcome].failure) this.reportFailure(username, method, decision);
    return decision;
  }

  private reportFailure(username: string, method: string, decision: LoginDecision): void {
    this.failures++;
    const { reason } = loginOutcomes[decision.outcome];
    const detail = decision.detail ? `${reason}: ${decision.detail}` : reason;
    this.log.warn({ username, method, reason: detail }, 'login failed');
    this.notices
      .loginFailed({
        eventId: randomUUID(),
        username: username.slice(0, 256),
        protocol: this.protocol,
        remoteAddress: this.remoteAddress,
        reason: detail.slice(0, 256),
        at: new Date().toISOString(),
      })
      .catch((err: unknown) =>
        this.log.error({ err, username }, 'login-failed event could not be published'),
      );
  }
}
