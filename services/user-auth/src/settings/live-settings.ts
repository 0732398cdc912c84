import type { LockoutPolicy, Logger } from '@tessera/config';
import {
  RequestFailure,
  settingNames,
  settingsConflict,
  settingsSchema,
  type SettingName,
  type Settings,
} from '@tessera/contracts';
import type { SettingsStore, StoredSettings } from './settings-store';

export interface SettingsChange {
  settings: Settings;
  changed: SettingName[];
}

/** Tells the doors (and the other user-auth replicas) that settings changed. */
export type AnnounceChange = (change: SettingsChange) => Promise<void>;

/**
 * The settings as this user-auth replica knows them: seeded from the environment where the table
 * has no row, then read from the table, changed only through `update` (checked whole against the
 * rules between settings) and kept current from `settings.changed` when another replica writes.
 */
export class LiveSettings {
  private current: Settings;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly store: SettingsStore,
    /** The environment's values (or defaults): used for a setting with no row, or a broken one. */
    private readonly seeds: Settings,
    private readonly announce: AnnounceChange,
    private readonly logger: Logger,
  ) {
    this.current = seeds;
  }

  /**
   * At start: seed the missing rows, then the table wins. Without a database the service still
   * starts (it answers `unavailable` to what needs one) on the environment's values, and tries
   * again until the table can be read; what the table then says is announced to the doors.
   */
  async start(): Promise<void> {
    try {
      await this.store.seed(this.seeds);
      const stored = this.readStored(await this.store.read());
      const changed = settingNames.filter((n) => stored[n] !== this.current[n]);
      this.current = stored;
      if (this.retry && changed.length) await this.announce({ settings: stored, changed });
      this.retry = undefined;
    } catch (err) {
      this.logger.error(
        { err },
        'settings could not be read; using the environment until they can',
      );
      this.retry = setTimeout(() => void this.start(), 5000).unref();
    }
  }

  stop(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** After a bus reconnect: a change another replica announced meanwhile was not heard. */
  async reread(): Promise<void> {
    try {
      this.current = this.readStored(await this.store.read());
    } catch (err) {
      this.logger.error({ err }, 'settings could not be read again; keeping the ones in use');
    }
  }

  get(): Settings {
    return this.current;
  }

  /** Another replica's change, heard on `settings.changed`. */
  adopt(settings: Settings): void {
    this.current = settings;
  }

  async update(changes: Partial<Settings>, requestedBy: string): Promise<SettingsChange> {
    const change = await this.store.change((stored) => {
      const before = this.readStored(stored);
      const after = { ...before, ...changes };
      refuseNewConflict(before, after);
      const changed = settingNames.filter((n) => after[n] !== before[n]);
      const write = Object.fromEntries(changed.map((n) => [n, after[n]]));
      return { write, result: { settings: after, changed } };
    }, requestedBy);
    this.current = change.settings;
    if (change.changed.length) {
      const values = Object.fromEntries(change.changed.map((n) => [n, change.settings[n]]));
      this.logger.info({ changed: values, requestedBy }, 'settings changed');
      await this.announce(change);
    }
    return change;
  }

  /** A row that no longer passes its rule (edited by hand, an older release) falls back to the seed. */
  private readStored(stored: StoredSettings): Settings {
    const values: Record<string, unknown> = {};
    for (const name of settingNames) {
      const read = settingsSchema.shape[name].safeParse(stored.get(name));
      if (!read.success) {
        this.logger.warn({ setting: name }, 'stored setting is not valid; using its seed value');
      }
      values[name] = read.success ? read.data : this.seeds[name];
    }
    return values as Settings;
  }
}

/**
 * Refuses a change that breaks a rule between settings, naming them. A conflict that was already
 * there (seeded from the environment) does not block unrelated changes, only its own.
 */
function refuseNewConflict(before: Settings, after: Settings): void {
  const conflict = settingsConflict(after);
  if (conflict && conflict.message !== settingsConflict(before)?.message) {
    throw new RequestFailure('conflict', conflict.message, { settings: conflict.settings });
  }
}

/** The lockout policy user-auth's login throttle applies, from the current settings. */
export function lockoutPolicyOf(settings: Settings): LockoutPolicy {
  return {
    userFailures: settings['lockout.user-failures'],
    addressFailures: settings['lockout.address-failures'],
    windowSeconds: settings['lockout.window'],
    lockSeconds: settings['lockout.duration'],
    unknownNames: settings['lockout.unknown-names'],
  };
}
