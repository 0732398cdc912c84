import {
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BusClient } from '@tessera/bus';
import type { Logger, TesseraConfig } from '@tessera/config';
import type { Settings } from '@tessera/contracts';
import { createPrismaClient, PrismaClient } from '@tessera/db';
import { LiveSettingsFeed } from '@tessera/door';
import { EventConsumer } from './consumer/event-consumer';
import { folderSetsFromUserAuth } from './consumer/folder-sets';
import { NoticeCounters } from './deliveries/counters';
import { DeliveryLog } from './deliveries/delivery-log';
import { Sender } from './deliveries/sender';
import { NoticesHandler } from './handlers/notices.handler';
import { NoticeRules } from './rules/notice-rules';
import type { NoticesSettings } from './settings';
import { CONFIG, LOGGER, NOTICES_SETTINGS } from './tokens';

/** The run-time settings as last heard from user-auth (the SMTP server may change any time). */
class CurrentSettings {
  value: Settings | null = null;
}

/**
 * Before the first event: the settings fetched (and followed), the sender and the consumer
 * started. At shutdown: the consumer stops first (no new acknowledgements), then the sender.
 */
class Lifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private following: { stop(): void } | null = null;

  constructor(
    @Inject(BusClient) private readonly bus: BusClient,
    @Inject(CurrentSettings) private readonly settings: CurrentSettings,
    @Inject(EventConsumer) private readonly consumer: EventConsumer,
    @Inject(Sender) private readonly sender: Sender,
    @Inject(PrismaClient) private readonly prisma: PrismaClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap() {
    const feed = new LiveSettingsFeed(this.bus, this.logger);
    this.settings.value = await feed.fetchWhenReady(60_000);
    this.following = feed.follow((s) => (this.settings.value = s));
    this.sender.start();
    this.consumer.start();
  }

  async onApplicationShutdown() {
    this.following?.stop();
    await this.consumer.stop();
    await this.sender.stop();
    await this.bus.close();
    await this.prisma.$disconnect();
  }
}

/** Wires the plain classes of the notices service; the handler is the NATS edge. */
@Module({})
export class NoticesModule {
  static forRoot(
    config: TesseraConfig,
    logger: Logger,
    settings: NoticesSettings,
    counters: NoticeCounters,
  ): DynamicModule {
    return {
      module: NoticesModule,
      controllers: [NoticesHandler],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: NOTICES_SETTINGS, useValue: settings },
        { provide: NoticeCounters, useValue: counters },
        { provide: PrismaClient, useFactory: () => createPrismaClient(config.DATABASE_URL) },
        { provide: BusClient, useFactory: () => BusClient.connect(config, 'notices') },
        CurrentSettings,
        {
          provide: NoticeRules,
          useFactory: (db: PrismaClient) => new NoticeRules(db),
          inject: [PrismaClient],
        },
        {
          provide: DeliveryLog,
          useFactory: (db: PrismaClient) => new DeliveryLog(db),
          inject: [PrismaClient],
        },
        {
          provide: Sender,
          useFactory: (log: DeliveryLog, rules: NoticeRules, current: CurrentSettings) =>
            new Sender(log, rules, () => current.value!, settings, counters, logger),
          inject: [DeliveryLog, NoticeRules, CurrentSettings],
        },
        {
          provide: EventConsumer,
          useFactory: (bus: BusClient, rules: NoticeRules, log: DeliveryLog, sender: Sender) =>
            new EventConsumer(
              bus,
              rules,
              log,
              folderSetsFromUserAuth(bus),
              () => sender.wake(),
              counters,
              logger,
              settings.ackWaitMs,
            ),
          inject: [BusClient, NoticeRules, DeliveryLog, Sender],
        },
        Lifecycle,
      ],
    };
  }
}
