import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  authPasswordVerify,
  authPublicKeyVerify,
  authSessionCheck,
  RequestFailure,
  type UserProfile,
} from '@tessera/contracts';
import { Logins } from '../accounts/logins';
import { UserAccounts } from '../accounts/user-accounts';
import { fingerprintOf } from '../keys/public-key-line';
import { PublicKeys } from '../keys/public-keys';
import { LOGGER } from '../tokens';

@Controller()
export class AuthHandler {
  constructor(
    private readonly logins: Logins,
    private readonly accounts: UserAccounts,
    private readonly keys: PublicKeys,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(authPasswordVerify.subject)
  passwordVerify(@Payload() raw: unknown) {
    return answer(authPasswordVerify, raw, this.logger, async ({ password, ...attempt }) => ({
      user: await this.logins.withPassword(attempt, password),
    }));
  }

  @MessagePattern(authPublicKeyVerify.subject)
  publicKeyVerify(@Payload() raw: unknown) {
    return answer(
      authPublicKeyVerify,
      raw,
      this.logger,
      async ({ keyData, keyType: _, signed, ...attempt }) => {
        const fingerprint = fingerprintOf(Buffer.from(keyData, 'base64'));
        const user = await this.logins.withPublicKey(attempt, fingerprint, { signed });
        return { user, fingerprint };
      },
    );
  }

  /** A door's open sessions of a user: do they still stand, and with which profile? */
  @MessagePattern(authSessionCheck.subject)
  sessionCheck(@Payload() raw: unknown) {
    return answer(authSessionCheck, raw, this.logger, async ({ username, keys }) => ({
      user: await this.profileOrNull(username),
      keys: await this.keys.held(username, keys),
    }));
  }

  private async profileOrNull(username: string): Promise<UserProfile | null> {
    try {
      return await this.accounts.get(username);
    } catch (err) {
      if (err instanceof RequestFailure && err.code === 'not_found') return null;
      throw err;
    }
  }
}
