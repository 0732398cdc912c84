import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger, TesseraConfig } from '@tessera/config';
import { createPrismaClient, PrismaClient } from '@tessera/db';
import { AccountChanges } from './accounts/account-changes';
import { Lockouts } from './accounts/lockouts';
import { LoginThrottle } from './accounts/login-throttle';
import { Logins } from './accounts/logins';
import { UserAccounts } from './accounts/user-accounts';
import { FolderSets } from './folder-sets/folder-sets';
import { AuthHandler } from './handlers/auth.handler';
import { FolderSetsHandler } from './handlers/folder-sets.handler';
import { KeysHandler } from './handlers/keys.handler';
import { UsersHandler } from './handlers/users.handler';
import { KeysFolder, keysFolderFile } from './keys/keys-folder';
import { PublicKeys } from './keys/public-keys';
import { LiveSettings, lockoutPolicyOf } from './settings/live-settings';
import { SettingsBus } from './settings/settings-bus';
import { settingsFromEnvironment } from './settings/settings-from-environment';
import { SettingsStore } from './settings/settings-store';
import { SettingsHandler } from './handlers/settings.handler';
import { CONFIG, LOGGER } from './tokens';

/**
 * Before the first request: settings seeded and read, other replicas' changes followed, the
 * keys-folder watch started. Closes the settings connection and the database pool with the service.
 */
class Lifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(KeysFolder) private readonly keysFolder: KeysFolder,
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(LiveSettings) private readonly settings: LiveSettings,
    @Inject(SettingsBus) private readonly settingsBus: SettingsBus,
    @Inject(AccountChanges) private readonly accountChanges: AccountChanges,
  ) {}
  async onApplicationBootstrap() {
    await this.settings.start();
    this.settingsBus.follow(
      (settings) => this.settings.adopt(settings),
      () => void this.settings.reread(),
    );
    await this.keysFolder.start();
  }
  async onApplicationShutdown() {
    this.keysFolder.stop();
    this.settings.stop();
    await this.settingsBus.close();
    await this.accountChanges.close();
    await this.prisma.$disconnect();
  }
}

/** Wires the plain classes of user-auth together; the handlers are the NATS edge. */
@Module({})
export class UserAuthModule {
  static forRoot(config: TesseraConfig, logger: Logger): DynamicModule {
    return {
      module: UserAuthModule,
      controllers: [AuthHandler, UsersHandler, KeysHandler, FolderSetsHandler, SettingsHandler],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: PrismaClient, useFactory: () => createPrismaClient(config.DATABASE_URL) },
        {
          provide: UserAccounts,
          useFactory: (db: PrismaClient) => new UserAccounts(db),
          inject: [PrismaClient],
        },
        {
          provide: PublicKeys,
          useFactory: (db: PrismaClient) =>
            new PublicKeys(db, (username) => keysFolderFile(config.paths.sshKeys, username)),
          inject: [PrismaClient],
        },
        {
          provide: FolderSets,
          useFactory: (db: PrismaClient) => new FolderSets(db),
          inject: [PrismaClient],
        },
        { provide: AccountChanges, useFactory: () => AccountChanges.connect(config, logger) },
        {
          provide: KeysFolder,
          useFactory: (db: PrismaClient, changes: AccountChanges) =>
            new KeysFolder(config.paths.sshKeys, db, logger, changes.announce),
          inject: [PrismaClient, AccountChanges],
        },
        { provide: SettingsBus, useFactory: () => SettingsBus.connect(config, logger) },
        {
          provide: LiveSettings,
          useFactory: (db: PrismaClient, bus: SettingsBus) =>
            new LiveSettings(
              new SettingsStore(db),
              settingsFromEnvironment(config),
              (change) => bus.announce(change),
              logger,
            ),
          inject: [PrismaClient, SettingsBus],
        },
        {
          provide: LoginThrottle,
          useFactory: (db: PrismaClient, settings: LiveSettings) =>
            new LoginThrottle(db, () => lockoutPolicyOf(settings.get()), logger),
          inject: [PrismaClient, LiveSettings],
        },
        {
          provide: Logins,
          useFactory: (db: PrismaClient, throttle: LoginThrottle, keysFolder: KeysFolder) =>
            new Logins(db, throttle, (username) => keysFolder.syncUser(username)),
          inject: [PrismaClient, LoginThrottle, KeysFolder],
        },
        {
          provide: Lockouts,
          useFactory: (throttle: LoginThrottle, accounts: UserAccounts) =>
            new Lockouts(throttle, accounts, logger),
          inject: [LoginThrottle, UserAccounts],
        },
        Lifecycle,
      ],
    };
  }
}
