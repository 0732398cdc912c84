import { RequestFailure, type Protocol, type UserProfile } from '@tessera/contracts';
import type { PrismaClient } from '@tessera/db';
import { describeScope, type LockScope, type LoginThrottle } from './login-throttle';
import { verifyPassword } from './passwords';
import { profileInclude, toProfile } from './user-profile';

export interface LoginAttempt {
  username: string;
  protocol: Protocol;
  remoteAddress?: string;
}

/** One answer for every way a login can be wrong, so a client cannot probe which names exist. */
const refused = () => new RequestFailure('unauthorized', 'wrong username or password');

/**
 * Decides logins: password checks with lockouts, and whether a public key belongs to a user.
 * Lockouts stop passwords only; see withPublicKey for why keys pass.
 */
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
      const { username, remoteAddress: address } = attempt;
      await this.throttle.recordFailure({ username, address, knownUser: Boolean(user) });
      throw refused();
    }
    await this.throttle.recordSuccess(user.username, attempt.remoteAddress);
    return this.loggedIn(user.id);
  }

  /**
   * Key offers are not counted as failures: SSH clients offer every key they hold, and guessing a
   * key is not feasible. Nor does a lock refuse them, not even an address lock: a signed key
   * login proves possession, which no number of guessed passwords gets closer to, and refusing it
   * would let anyone who shares the victim's address (an office NAT) or forges failures for it lock
   * the victim out, the very abuse lockouts must not allow. Only a signed attempt logs in (and
   * stamps the last login): an unsigned one is the client asking whether the key would do.
   */
  async withPublicKey(
    attempt: LoginAttempt,
    fingerprint: string,
    { signed }: { signed: boolean },
  ): Promise<UserProfile> {
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

  /** A password from a locked (name, address) pair or a locked address is not even checked. */
  private async refuseWhileLocked(attempt: LoginAttempt): Promise<void> {
    const address = attempt.remoteAddress ?? '';
    const scopes: LockScope[] = [{ address, username: attempt.username }];
    if (address) scopes.push({ address, username: '' });
    const lock = await this.throttle.activeLock(scopes);
    if (!lock) return;
    const retryAfterSeconds = Math.ceil((lock.until.getTime() - Date.now()) / 1000);
    throw new RequestFailure(
      'locked',
      `too many failed logins for ${describeScope(lock)}: passwords locked for ${Math.ceil(retryAfterSeconds / 60)} more minute(s)`,
      { retryAfterSeconds, lockedUntil: lock.until.toISOString() },
    );
  }
}
