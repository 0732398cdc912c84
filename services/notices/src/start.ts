import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { BusServer } from '@tessera/bus';
import { createLogger, NestPinoLogger, type Logger, type TesseraConfig } from '@tessera/config';
import { NoticeCounters } from './deliveries/counters';
import { NoticesModule } from './notices.module';
import { loadNoticesSettings, type NoticesSettings } from './settings';

/** Starts the notices service; used by main.ts and by the integration tests. */
export async function startNotices(
  config: TesseraConfig,
  logger: Logger = createLogger('notices', config.TESSERA_LOG_LEVEL),
  settings: NoticesSettings = loadNoticesSettings(),
): Promise<INestMicroservice> {
  const counters = new NoticeCounters();
  const app = await NestFactory.createMicroservice(
    NoticesModule.forRoot(config, logger, settings, counters),
    {
      strategy: new BusServer(config, 'notices', config.TESSERA_BUS_PREFIX, () => ({
        listening: [],
        notices: counters.snapshot,
      })),
      logger: new NestPinoLogger(logger),
    },
  );
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
