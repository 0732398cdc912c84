import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { usersKeysAdd, usersKeysList, usersKeysRemove } from '@tessera/contracts';
import { AccountChanges } from '../accounts/account-changes';
import { PublicKeys } from '../keys/public-keys';
import { LOGGER } from '../tokens';

@Controller()
export class KeysHandler {
  constructor(
    private readonly keys: PublicKeys,
    private readonly changes: AccountChanges,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(usersKeysAdd.subject)
  add(@Payload() raw: unknown) {
    return answer(usersKeysAdd, raw, this.logger, async (req) => ({
      key: await this.keys.add(req.username, req.line),
    }));
  }

  @MessagePattern(usersKeysRemove.subject)
  remove(@Payload() raw: unknown) {
    return answer(usersKeysRemove, raw, this.logger, async (req) => {
      await this.keys.remove(req.username, req.fingerprint);
      await this.changes.announce(req.username, ['key-removed'], [req.fingerprint]);
      return { removed: true as const };
    });
  }

  @MessagePattern(usersKeysList.subject)
  list(@Payload() raw: unknown) {
    return answer(usersKeysList, raw, this.logger, async (req) => ({
      keys: await this.keys.list(req.username),
    }));
  }
}
