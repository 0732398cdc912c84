import { connect, JSONCodec, type NatsConnection, type Subscription } from 'nats';
import { natsConnectionOptions } from '@tessera/bus';
import type { Logger, TesseraConfig } from '@tessera/config';
import { settingsChanged, type Settings } from '@tessera/contracts';
import type { SettingsChange } from './live-settings';

const json = JSONCodec<unknown>();

/**
 * `settings.changed` on core NATS: user-auth announces each stored change, and every replica
 * listens so its lockout policy follows a change another replica wrote.
 */
export class SettingsBus {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  static async connect(config: TesseraConfig, logger: Logger): Promise<SettingsBus> {
    const nc = await connect(natsConnectionOptions(config, 'user-auth-settings'));
    return new SettingsBus(nc, config.TESSERA_BUS_PREFIX, logger);
  }

  async announce(change: SettingsChange): Promise<void> {
    const event = settingsChanged.payload.parse({ ...change, at: new Date().toISOString() });
    try {
      this.nc.publish(this.prefix + settingsChanged.subject, json.encode(event));
      await this.nc.flush();
    } catch (err) {
      // The change is stored; doors fetch the settings again when they reconnect.
      this.logger.error({ err }, 'could not announce a settings change');
    }
  }

  /** Calls `onSettings` with each well-formed announcement; a malformed one is logged and dropped. */
  follow(onSettings: (settings: Settings) => void): Subscription {
    return this.nc.subscribe(this.prefix + settingsChanged.subject, {
      callback: (_err, msg) => {
        const event = settingsChanged.payload.safeParse(decode(msg.data));
        if (event.success) onSettings(event.data.settings);
        else this.logger.warn('a malformed settings.changed was dropped');
      },
    });
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

function decode(data: Uint8Array): unknown {
  try {
    return json.decode(data);
  } catch {
    return undefined;
  }
}
