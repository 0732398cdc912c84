import type { Logger } from '@tessera/config';
import type { LoginLock, ParsedRequestOf, usersUnlock } from '@tessera/contracts';
import { addressKey, userKey, type ActiveLock, type LoginThrottle } from './login-throttle';
import type { UserAccounts } from './user-accounts';

/**
 * What an operator sees of lockouts and how they lift one. Counting and refusing stay in
 * LoginThrottle and Logins; this class only reads and clears, and writes the audit line.
 */
export class Lockouts {
  constructor(
    private readonly throttle: LoginThrottle,
    private readonly accounts: UserAccounts,
    private readonly logger: Logger,
  ) {}

  async ofUser(username: string): Promise<LoginLock | null> {
    return toLoginLock(await this.throttle.activeLock([userKey(username)]));
  }

  /** Lifts a user's or an address's lock and resets its count; audited at info either way. */
  async unlock(req: ParsedRequestOf<typeof usersUnlock>): Promise<{ lifted: LoginLock | null }> {
    const { username, address, requestedBy } = req;
    // A name that is no account has nothing to unlock: say so rather than "done".
    if (username) await this.accounts.get(username);
    // The contract lets exactly one of username and address through.
    const keys = username ? [userKey(username)] : addressKeys(address ?? '');
    const lifted = toLoginLock(await this.throttle.lift(keys));
    this.logger.info(
      {
        ...(username ? { username } : { address }),
        requestedBy: requestedBy ?? 'not given',
        liftedLockUntil: lifted?.until ?? null,
      },
      lifted ? 'login lock lifted by an operator' : 'failed-login count reset by an operator',
    );
    return { lifted };
  }
}

/**
 * A door listening on a dual-stack socket sees an IPv4 client as ::ffff:192.0.2.7; the operator
 * types 192.0.2.7. Both forms are lifted so the unlock works whichever the door reported.
 */
function addressKeys(address: string): string[] {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? (address.includes(':') ? undefined : address);
  return v4 ? [addressKey(v4), addressKey(`::ffff:${v4}`)] : [addressKey(address)];
}

function toLoginLock(lock: ActiveLock | null): LoginLock | null {
  return lock ? { until: lock.until.toISOString() } : null;
}
