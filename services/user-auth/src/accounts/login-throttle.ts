import type { LockoutPolicy, Logger } from '@tessera/config';
import type { PrismaClient } from '@tessera/db';

export interface ActiveLock {
  key: string;
  until: Date;
}

export const userKey = (username: string) => `user:${username}`;
export const addressKey = (address: string) => `addr:${address}`;

/** "user alice" / "address 192.0.2.7": a lock key as the log and the operator say it. */
export function describeLockKey(key: string): string {
  return key.startsWith('user:') ? `user ${key.slice(5)}` : `address ${key.slice(5)}`;
}

/**
 * Failed-login counters kept in Postgres, so every user-auth replica sees the same locks.
 * Counting happens in one atomic upsert per key; a lock starts a fresh count when it ends.
 */
export class LoginThrottle {
  /**
   * The policy is asked for at each failure: it follows the `lockout.*` settings live (seeded from
   * TESSERA_LOCKOUT_*, defaults 5 / 20 / 15 min / 15 min).
   */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policyNow: () => LockoutPolicy,
    private readonly logger: Logger,
  ) {}

  async activeLock(keys: string[], now = new Date()): Promise<ActiveLock | null> {
    const locked = await this.prisma.loginThrottle.findFirst({
      where: { key: { in: keys }, lockedUntil: { gt: now } },
      orderBy: { lockedUntil: 'desc' },
    });
    return locked?.lockedUntil ? { key: locked.key, until: locked.lockedUntil } : null;
  }

  async recordFailure(
    username: string,
    address: string | undefined,
    now = new Date(),
  ): Promise<void> {
    const policy = this.policyNow();
    await this.count(userKey(username), policy.userFailures, policy, now);
    if (address) await this.count(addressKey(address), policy.addressFailures, policy, now);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { key: userKey(username) } });
  }

  /**
   * Forgets the failures and any lock of these keys (an operator's unlock); returns the lock that
   * held, so the operator hears whether there was one.
   */
  async lift(keys: string[], now = new Date()): Promise<ActiveLock | null> {
    const held = await this.activeLock(keys, now);
    await this.prisma.loginThrottle.deleteMany({ where: { key: { in: keys } } });
    return held;
  }

  private async count(key: string, limit: number, policy: LockoutPolicy, now: Date): Promise<void> {
    const windowStart = new Date(now.getTime() - policy.windowSeconds * 1000);
    const rows = await this.prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles (key, failures, window_start_at) VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttles.window_start_at < ${windowStart}
                        THEN 1 ELSE login_throttles.failures + 1 END,
        window_start_at = CASE WHEN login_throttles.window_start_at < ${windowStart}
                               THEN ${now} ELSE login_throttles.window_start_at END
      RETURNING failures`;
    if ((rows[0]?.failures ?? 0) >= limit) {
      const until = new Date(now.getTime() + policy.lockSeconds * 1000);
      await this.prisma.loginThrottle.update({
        where: { key },
        data: { lockedUntil: until, failures: 0, windowStartAt: now },
      });
      // Warn: the operator learns here which user or address to unlock if the lock is a mistake.
      this.logger.warn(
        { locked: describeLockKey(key), until: until.toISOString(), failures: limit },
        'too many failed logins: locked',
      );
    }
  }
}
