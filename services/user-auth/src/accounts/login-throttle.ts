import type { LockoutPolicy, Logger } from '@tessera/config';
import type { Prisma, PrismaClient } from '@tessera/db';

/**
 * What a failure count is kept for: one name tried from one address (`username` set), or an
 * address over every name (`username` ''). The address is '' when the door reported none.
 */
export interface LockScope {
  address: string;
  username: string;
}

export interface ActiveLock extends LockScope {
  until: Date;
}

/** "user alice from 192.0.2.7" / "address 192.0.2.7": a lock as the log and the operator say it. */
export function describeScope({ address, username }: LockScope): string {
  if (!username) return `address ${address}`;
  return address ? `user ${username} from ${address}` : `user ${username}`;
}

/** Which rows an operator's unlock clears: every pair of a user, an address and its pairs, or one pair. */
export interface LiftTarget {
  username?: string;
  /** The forms the address may have been reported in (see Lockouts). */
  addresses?: string[];
}

/** At most once a minute per replica, counts whose window is over and that hold no lock go. */
const pruneEveryMs = 60_000;

/**
 * Failed password logins counted in Postgres, so every user-auth replica sees the same locks.
 * A failure counts for its (address, name) pair and for its address, as SFTPGo's defender bans
 * the attacker's address rather than the victim's account: the victim logging in from elsewhere
 * is never locked. Counting is one atomic upsert per scope; a lock starts a fresh count.
 *
 * The table stays bounded: names that are no account are capped (`lockout.unknown-names`, least
 * recently tried forgotten first), and counts that have gone quiet are pruned.
 */
export class LoginThrottle {
  private prunedAt = 0;

  /**
   * The policy is asked for at each failure: it follows the `lockout.*` settings live (seeded from
   * TESSERA_LOCKOUT_*, defaults 5 / 20 / 15 min / 15 min / 10000 names).
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policyNow: () => LockoutPolicy,
    private readonly logger: Logger,
  ) {}

  /** The lock holding on any of these scopes that lasts longest, or null. */
  async activeLock(scopes: LockScope[], now = new Date()): Promise<ActiveLock | null> {
    const [lock] = await this.activeLocks({ OR: scopes }, now);
    return lock ?? null;
  }

  /** Every pair lock holding on this user, one per address. */
  locksOfUser(username: string, now = new Date()): Promise<ActiveLock[]> {
    return this.activeLocks({ username }, now);
  }

  async recordFailure(
    attempt: { username: string; address?: string; knownUser: boolean },
    now = new Date(),
  ): Promise<void> {
    const policy = this.policyNow();
    const { username, knownUser } = attempt;
    const address = attempt.address ?? '';
    await this.count({ address, username }, knownUser, policy.userFailures, policy, now);
    if (address)
      await this.count({ address, username: '' }, true, policy.addressFailures, policy, now);
    if (!knownUser) await this.forgetUnknownNamesBeyond(policy.unknownNames);
    await this.pruneQuiet(policy, now);
  }

  /** A right password from an address clears that pair's count; the address's own count stays. */
  async recordSuccess(username: string, address: string | undefined): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { username, address: address ?? '' } });
  }

  /**
   * Forgets the failures and any locks of the target (an operator's unlock); returns the locks
   * that held, so the operator hears whether there were any.
   */
  async lift(target: LiftTarget, now = new Date()): Promise<ActiveLock[]> {
    const where: Prisma.LoginThrottleWhereInput = {
      ...(target.username !== undefined ? { username: target.username } : {}),
      ...(target.addresses ? { address: { in: target.addresses } } : {}),
    };
    const held = await this.activeLocks(where, now);
    await this.prisma.loginThrottle.deleteMany({ where });
    return held;
  }

  private async activeLocks(
    where: Prisma.LoginThrottleWhereInput,
    now: Date,
  ): Promise<ActiveLock[]> {
    const rows = await this.prisma.loginThrottle.findMany({
      where: { AND: [where, { lockedUntil: { gt: now } }] },
      orderBy: { lockedUntil: 'desc' },
    });
    return rows.map((r) => ({ address: r.address, username: r.username, until: r.lockedUntil! }));
  }

  private async count(
    scope: LockScope,
    knownUser: boolean,
    limit: number,
    policy: LockoutPolicy,
    now: Date,
  ): Promise<void> {
    const { address, username } = scope;
    const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
    const rows = await this.prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles
        (address, username, known_user, failures, window_start_at, last_failed_at)
      VALUES (${address}, ${username}, ${knownUser}, 1, ${now}, ${now})
      ON CONFLICT (address, username) DO UPDATE SET
        failures = CASE WHEN login_throttles.window_start_at < ${windowStart}
                        THEN 1 ELSE login_throttles.failures + 1 END,
        window_start_at = CASE WHEN login_throttles.window_start_at < ${windowStart}
                               THEN ${now} ELSE login_throttles.window_start_at END,
        last_failed_at = ${now},
        known_user = ${knownUser}
      RETURNING failures`;
    if ((rows[0]?.failures ?? 0) < limit) return;
    const until = new Date(now.getTime() + policy.lockSeconds * 1000);
    await this.prisma.loginThrottle.update({
      where: { address_username: scope },
      data: { lockedUntil: until, failures: 0, windowStartAt: now },
    });
    // Warn: the operator learns here which pair or address to unlock if the lock is a mistake.
    this.logger.warn(
      { locked: describeScope(scope), until: until.toISOString(), failures: limit },
      'too many failed logins: locked',
    );
  }

  /** Keeps the newest `cap` counts of names that are no account; a lock among the rest goes too. */
  private async forgetUnknownNamesBeyond(cap: number): Promise<void> {
    await this.prisma.$executeRaw`
      DELETE FROM login_throttles t USING (
        SELECT address, username FROM login_throttles WHERE known_user = false
        ORDER BY last_failed_at DESC OFFSET ${cap}
      ) old
      WHERE t.address = old.address AND t.username = old.username`;
  }

  /** A count whose last failure is older than the window would start afresh anyway. */
  private async pruneQuiet(policy: LockoutPolicy, now: Date): Promise<void> {
    if (now.getTime() - this.prunedAt < pruneEveryMs) return;
    this.prunedAt = now.getTime();
    const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
    await this.prisma.loginThrottle.deleteMany({
      where: {
        lastFailedAt: { lt: windowStart },
        OR: [{ lockedUntil: null }, { lockedUntil: { lte: now } }],
      },
    });
  }
}
