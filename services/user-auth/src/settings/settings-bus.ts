import type { Subscription } from 'nats';
import { Announcements } from '@tessera/bus';
import type { Logger, TesseraConfig } from '@tessera/config';
import { settingsChanged, type Settings } from '@tessera/contracts';
import type { SettingsChange } from './live-settings';

/**
 * `settings.changed` on core NATS: user-auth announces each stored change, and every replica
 * listens so its lockout policy follows a change another replica wrote.
 */
export class SettingsBus {
  private constructor(private readonly events: Announcements) {}

  static async connect(config: TesseraConfig, logger: Logger): Promise<SettingsBus> {
    return new SettingsBus(await Announcements.connect(config, 'user-auth-settings', logger));
  }

  announce(change: SettingsChange): Promise<void> {
    return this.events.publish(settingsChanged, { ...change, at: new Date().toISOString() });
  }

  follow(onSettings: (settings: Settings) => void): Subscription {
    return this.events.follow(settingsChanged, (event) => onSettings(event.settings));
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
