import { RequestFailure, type Protocol, type UserProfile } from '@tessera/contracts';
import type { PrismaClient } from '@tessera/db';
import { addressKey, userKey, type LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import { profileInclude, toProfile } from './user-profile';

export interface LoginAttempt {
  username: string;
  protocol: Protocol;
  remoteAddress?: string;
}

/** One answer for every way a login can be wrong, so a client cannot probe which names exist. */
const refused = () => new RequestFailure('unauthorized', 'wrong username or password');

/** Decides logins: password checks with lockouts, and whether a public key belongs to a user. */
export class Logins {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly throttle: LoginThrottle,
    /** Re-reads a user's keys-folder file, so a key dropped there a moment ago is known. */
    private readonly refreshKeys: (username: string) => Promise<void> = async () => {},
  ) {}

  async withPassword(attempt: LoginAttempt, password: string): Promise<UserProfile> {
    await this.refuseWhileLocked(attempt);
    const user = await this.prisma.user.findUnique({
      where: { username: attempt.username },
      include: profileInclude,
    });
    const matches = await verifyPassword(user?.passwordHash ?? null, password);
    if (!user || !matches || !user.enabled || user.passwordLoginDisabled) {
      await this.throttle.recordFailure(attempt.username, attempt.remoteAddress);
      throw refused();
    }
    await this.throttle.recordSuccess(user.username);
    return this.loggedIn(user.id);
  }

  /**
   * Key offers are not counted as failures: SSH clients offer every key they hold, and guessing a
   * key is not feasible. A lock from password failures still refuses key logins. Only a signed
   * attempt logs in (and stamps the last login): an unsigned one is the client asking whether
   * the key would do, before it proves it holds the key.
   */
  async withPublicKey(
    attempt: LoginAttempt,
    fingerprint: string,
    { signed }: { signed: boolean },
  ): Promise<UserProfile> {
    await this.refuseWhileLocked(attempt);
    const find = () =>
      this.prisma.publicKey.findUnique({
        where: { fingerprint },
        include: { user: { select: { id: true, username: true, enabled: true } } },
      });
    let key = await find();
    if (!key) {
      await this.refreshKeys(attempt.username);
      key = await find();
    }
    if (!key || key.user.username !== attempt.username || !key.user.enabled) {
      throw new RequestFailure('unauthorized', 'this key does not log in this user');
    }
    if (!signed) return this.profileOf(key.user.id);
    return this.loggedIn(key.user.id);
  }

  private async loggedIn(userId: string): Promise<UserProfile> {
    const user = await this.prisma.user.update({
      where: { id: userId },
      data: { lastLoginAt: new Date() },
      include: profileInclude,
    });
    return toProfile(user);
  }

  private async profileOf(userId: string): Promise<UserProfile> {
    const user = await this.prisma.user.findUniqueOrThrow({
      where: { id: userId },
      include: profileInclude,
    });
    return toProfile(user);
  }

  private async refuseWhileLocked(attempt: LoginAttempt): Promise<void> {
    const keys = [userKey(attempt.username)];
    if (attempt.remoteAddress) keys.push(addressKey(attempt.remoteAddress));
    const lock = await this.throttle.activeLock(keys);
    if (!lock) return;
    const retryAfterSeconds = Math.ceil((lock.until.getTime() - Date.now()) / 1000);
    const who =
      lock.key === userKey(attempt.username)
        ? `user ${attempt.username}`
        : `address ${attempt.remoteAddress}`;
    throw new RequestFailure(
      'locked',
      `too many failed logins for ${who}: locked for ${Math.ceil(retryAfterSeconds / 60)} more minute(s)`,
      { retryAfterSeconds, lockedUntil: lock.until.toISOString() },
    );
  }
}
