import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigError, type Logger, type TesseraConfig } from '@tessera/config';
import { createPrismaClient, PrismaClient } from '@tessera/db';
import { Announcements } from '@tessera/bus';
import { CertificatesHandler } from './handlers/certificates.handler';
import { HostKeysHandler } from './handlers/host-keys.handler';
import { MasterKey, SealedBoxError } from './master-key/master-key';
import { hostKeyContext, HostKeys } from './ssh/host-keys';
import { TlsCertificates } from './tls/tls-certificates';
import { TlsKeyStore } from './tls/tls-key-store';
import { OPTIONS, LOGGER } from './tokens';

export interface PkiOptions {
  /** The host name the first-start certificate is made for (default: os.hostname()). */
  hostname?: string;
}

/**
 * At start, before answering: the master key must open what is stored (a wrong key stops the
 * service with a clear message instead of failing on every request), then first-start material
 * is made: a self-signed certificate for this host and the SSH host keys.
 */
class Startup implements OnApplicationBootstrap {
  constructor(
    @Inject(PrismaClient) private readonly db: PrismaClient,
    @Inject(MasterKey) private readonly masterKey: MasterKey,
    @Inject(TlsKeyStore) private readonly store: TlsKeyStore,
    @Inject(TlsCertificates) private readonly certificates: TlsCertificates,
    @Inject(HostKeys) private readonly hostKeys: HostKeys,
    @Inject(OPTIONS) private readonly options: PkiOptions,
  ) {}

  async onApplicationBootstrap() {
    await this.checkMasterKey();
    await Promise.all([
      this.certificates.ensureActive(this.options.hostname),
      this.hostKeys.ensure(),
    ]);
  }

  private async checkMasterKey() {
    const host = await this.db.sshHostKey.findFirst();
    const sealed =
      (await this.store.anySealedKey()) ??
      (host && { context: hostKeyContext(host.kind as never), sealed: host.privateKeySealed });
    if (!sealed) return;
    try {
      this.masterKey.open(sealed.sealed, sealed.context);
    } catch (err) {
      if (!(err instanceof SealedBoxError)) throw err;
      throw new ConfigError(
        `Invalid configuration:\n  TESSERA_MASTER_KEY: does not open the keys stored in the database: ${err.message}. ` +
          'Set the master key they were sealed with (see services/pki/README.md).',
      );
    }
  }
}

class Lifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(PrismaClient) private readonly db: PrismaClient,
    @Inject(Announcements) private readonly events: Announcements,
  ) {}
  async onApplicationShutdown() {
    await this.events.close();
    await this.db.$disconnect();
  }
}

/** Wires the plain classes of the pki service; the handlers are the NATS edge. */
@Module({})
export class PkiModule {
  static forRoot(
    config: TesseraConfig,
    logger: Logger,
    masterKey: MasterKey,
    options: PkiOptions = {},
  ): DynamicModule {
    return {
      module: PkiModule,
      controllers: [CertificatesHandler, HostKeysHandler],
      providers: [
        { provide: OPTIONS, useValue: options },
        { provide: LOGGER, useValue: logger },
        { provide: MasterKey, useValue: masterKey },
        { provide: PrismaClient, useFactory: () => createPrismaClient(config.DATABASE_URL) },
        {
          provide: Announcements,
          useFactory: () => Announcements.connect(config, 'pki-events', logger),
        },
        {
          provide: TlsKeyStore,
          useFactory: (db: PrismaClient) => new TlsKeyStore(db),
          inject: [PrismaClient],
        },
        {
          provide: TlsCertificates,
          useFactory: (store: TlsKeyStore, events: Announcements) =>
            new TlsCertificates(store, masterKey, events, logger),
          inject: [TlsKeyStore, Announcements],
        },
        {
          provide: HostKeys,
          useFactory: (db: PrismaClient, events: Announcements) =>
            new HostKeys(db, masterKey, events, logger),
          inject: [PrismaClient, Announcements],
        },
        Startup,
        Lifecycle,
      ],
    };
  }
}
