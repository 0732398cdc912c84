import type { PrismaClient } from '@tessera/db';

/** How many failed logins lock a user or an address, and for how long. */
export interface ThrottlePolicy {
  userFailures: number;
  addressFailures: number;
  windowSeconds: number;
  lockSeconds: number;
}

export const defaultThrottlePolicy: ThrottlePolicy = {
  userFailures: 5,
  addressFailures: 20,
  windowSeconds: 15 * 60,
  lockSeconds: 15 * 60,
};

export interface ActiveLock {
  key: string;
  until: Date;
}

export const userKey = (username: string) => `user:${username}`;
export const addressKey = (address: string) => `addr:${address}`;

/**
 * Failed-login counters kept in Postgres, so every user-auth replica sees the same locks.
 * Counting happens in one atomic upsert per key; a lock starts a fresh count when it ends.
 */
export class LoginThrottle {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policy: ThrottlePolicy = defaultThrottlePolicy,
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
    await this.count(userKey(username), this.policy.userFailures, now);
    if (address) await this.count(addressKey(address), this.policy.addressFailures, now);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.prisma.loginThrottle.deleteMany({ where: { key: userKey(username) } });
  }

  private async count(key: string, limit: number, now: Date): Promise<void> {
    const windowStart = new Date(now.getTime() - this.policy.windowSeconds * 1000);
    const rows = await this.prisma.$queryRaw<{ failures: number }[]>`
      INSERT INTO login_throttles (key, failures, window_start_at) VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN login_throttles.window_start_at < ${windowStart}
                        THEN 1 ELSE login_throttles.failures + 1 END,
        window_start_at = CASE WHEN login_throttles.window_start_at < ${windowStart}
                               THEN ${now} ELSE login_throttles.window_start_at END
      RETURNING failures`;
    if ((rows[0]?.failures ?? 0) >= limit) {
      const until = new Date(now.getTime() + this.policy.lockSeconds * 1000);
      await this.prisma.loginThrottle.update({
        where: { key },
        data: { lockedUntil: until, failures: 0, windowStartAt: now },
      });
    }
  }
}
