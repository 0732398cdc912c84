import { followAnnouncement, type BusClient, type Following } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { settingsChanged, settingsGet, type Settings } from '@tessera/contracts';
import { askUntilReady } from './ask-until-ready';

/** user-auth could not give us the settings: the door does not know its port without them. */
export class SettingsUnavailable extends Error {}

/**
 * The run-time settings, from user-auth (their keeper): asked at start, followed on
 * `settings.changed`, and asked again after a NATS reconnect, since an announcement made while
 * the door was cut off is lost.
 */
export class LiveSettingsFeed {
  constructor(
    private readonly bus: BusClient,
    private readonly logger: Logger,
  ) {}

  async fetch(): Promise<Settings> {
    const reply = await this.bus.request(settingsGet, {});
    if (!reply.ok)
      throw new SettingsUnavailable(`user-auth gave no settings: ${reply.error.message}`);
    return reply.value.settings;
  }

  fetchWhenReady(waitMs: number): Promise<Settings> {
    return askUntilReady(
      () => this.fetch(),
      waitMs,
      this.logger,
      'waiting for the user-auth service for settings',
    );
  }

  /** Calls `onSettings` on every well-formed announcement and after every reconnect. */
  follow(onSettings: (settings: Settings) => void): Following {
    return followAnnouncement(this.bus, settingsChanged, this.logger, {
      onEvent: (event) => onSettings(event.settings),
      onReconnect: () => void this.refetch(onSettings),
    });
  }

  private async refetch(onSettings: (settings: Settings) => void): Promise<void> {
    try {
      onSettings(await this.fetch());
    } catch (err) {
      this.logger.error({ err }, 'reconnected but could not fetch the settings; keeping the old');
    }
  }
}
