import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { settingsGet, settingsUpdate } from '@tessera/contracts';
import { LiveSettings } from '../settings/live-settings';
import { LOGGER } from '../tokens';

@Controller()
export class SettingsHandler {
  constructor(
    private readonly settings: LiveSettings,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(settingsGet.subject)
  get(@Payload() raw: unknown) {
    return answer(settingsGet, raw, this.logger, () =>
      Promise.resolve({ settings: this.settings.get() }),
    );
  }

  @MessagePattern(settingsUpdate.subject)
  update(@Payload() raw: unknown) {
    return answer(settingsUpdate, raw, this.logger, (req) =>
      this.settings.update(req.changes, req.requestedBy ?? 'unnamed'),
    );
  }
}
