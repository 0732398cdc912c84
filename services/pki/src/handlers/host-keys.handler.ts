import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { pkiHostKeysMaterial, pkiHostKeysRegenerate, pkiHostKeysShow } from '@tessera/contracts';
import { HostKeys } from '../ssh/host-keys';
import { LOGGER } from '../tokens';

/** SSH host keys for the sftp service. */
@Controller()
export class HostKeysHandler {
  constructor(
    private readonly hostKeys: HostKeys,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(pkiHostKeysShow.subject)
  show(@Payload() raw: unknown) {
    return answer(pkiHostKeysShow, raw, this.logger, async () => ({
      keys: await this.hostKeys.show(),
    }));
  }

  @MessagePattern(pkiHostKeysRegenerate.subject)
  regenerate(@Payload() raw: unknown) {
    return answer(pkiHostKeysRegenerate, raw, this.logger, async (req) => ({
      keys: await this.hostKeys.regenerate(req.kinds),
    }));
  }

  /** The one reply that carries host private keys (for the SSH door). */
  @MessagePattern(pkiHostKeysMaterial.subject)
  material(@Payload() raw: unknown) {
    return answer(pkiHostKeysMaterial, raw, this.logger, async () => ({
      keys: await this.hostKeys.material(),
    }));
  }
}
