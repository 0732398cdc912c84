import type { Logger } from '@tessera/config';
import type { LoginLock, ParsedRequestOf, usersUnlock } from '@tessera/contracts';
import { describeScope, type ActiveLock, type LoginThrottle } from './login-throttle';
import type { UserAccounts } from './user-accounts';

/**
 * What an operator sees of lockouts and how they lift them. Counting and refusing stay in
 * LoginThrottle and Logins; this class only reads and clears, and writes the audit line.
 */
export class Lockouts {
  constructor(
    private readonly throttle: LoginThrottle,
    private readonly accounts: UserAccounts,
    private readonly logger: Logger,
  ) {}

  async ofUser(username: string): Promise<LoginLock[]> {
    return (await this.throttle.locksOfUser(username)).map(toLoginLock);
  }

  /**
   * Lifts a user's locks (every address), an address's (its own and every name's from it), or one
   * pair's, and resets their counts; audited at info either way.
   */
  async unlock(req: ParsedRequestOf<typeof usersUnlock>): Promise<{ lifted: LoginLock[] }> {
    const { username, address, requestedBy } = req;
    // A name that is no account has nothing to unlock: say so rather than "done".
    if (username) await this.accounts.get(username);
    const lifted = await this.throttle.lift({
      ...(username ? { username } : {}),
      ...(address ? { addresses: addressForms(address) } : {}),
    });
    this.logger.info(
      {
        ...(username ? { username } : {}),
        ...(address ? { address } : {}),
        requestedBy: requestedBy ?? 'not given',
        lifted: lifted.map((l) => `${describeScope(l)} until ${l.until.toISOString()}`),
      },
      lifted.length
        ? 'login lock lifted by an operator'
        : 'failed-login count reset by an operator',
    );
    return { lifted: lifted.map(toLoginLock) };
  }
}

/**
 * A door listening on a dual-stack socket sees an IPv4 client as ::ffff:192.0.2.7; the operator
 * types 192.0.2.7. Both forms are lifted so the unlock works whichever the door reported.
 */
function addressForms(address: string): string[] {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? (address.includes(':') ? undefined : address);
  return v4 ? [v4, `::ffff:${v4}`] : [address];
}

function toLoginLock(lock: ActiveLock): LoginLock {
  return {
    username: lock.username || null,
    address: lock.address,
    until: lock.until.toISOString(),
  };
}
