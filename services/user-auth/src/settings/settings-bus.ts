import { Announcements, type Following } from '@tessera/bus';
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

  /** Another replica's changes; after a reconnect, `onReconnect` reads the table again. */
  follow(onSettings: (settings: Settings) => void, onReconnect: () => void): Following {
    return this.events.follow(settingsChanged, {
      onEvent: (event) => onSettings(event.settings),
      onReconnect,
    });
  }

  close(): Promise<void> {
    return this.events.close();
  }
}
