import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { authPasswordVerify, authPublicKeyVerify } from '@tessera/contracts';
import { Logins } from '../accounts/logins';
import { fingerprintOf } from '../keys/public-key-line';
import { LOGGER } from '../tokens';

@Controller()
export class AuthHandler {
  constructor(
    private readonly logins: Logins,
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
}
