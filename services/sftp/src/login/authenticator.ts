import type { AuthContext } from 'ssh2';
import type { LoginAttempts, LoginDecision, Logins } from '@tessera/door';
import { checkKeyAttempt } from './key-attempt';

/**
 * The login attempts of one SSH connection: turns each of ssh2's authentication requests into a
 * decision through the door kit. Answering the client is the connection's job: it also has limits
 * to apply before letting anyone in.
 */
export class Authenticator {
  constructor(
    private readonly logins: Logins,
    private readonly attempts: LoginAttempts,
    private readonly remoteAddress: string,
  ) {}

  get exhausted(): boolean {
    return this.attempts.exhausted;
  }

  /** Never rejects: a failure of user-auth or the bus is a refused login, not a crash. */
  decide(ctx: AuthContext): Promise<LoginDecision> {
    return this.attempts.decide(ctx.username, ctx.method, () => this.ask(ctx));
  }

  private ask(ctx: AuthContext): Promise<LoginDecision> {
    if (ctx.method === 'password') {
      return this.logins.withPassword(ctx.username, ctx.password, this.remoteAddress);
    }
    if (ctx.method === 'publickey') {
      const checked = checkKeyAttempt({
        username: ctx.username,
        algorithm: ctx.key.algo,
        key: ctx.key.data,
        signature: ctx.signature,
        signedData: ctx.blob,
        hashAlgorithm: ctx.hashAlgo,
      });
      if ('outcome' in checked) return Promise.resolve(checked);
      return this.logins.withKey(checked, this.remoteAddress);
    }
    return Promise.resolve({ outcome: 'method-not-offered' });
  }
}
