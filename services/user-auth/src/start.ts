import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { BusServer } from '@tessera/bus';
import { createLogger, NestPinoLogger, type Logger, type TesseraConfig } from '@tessera/config';
import { UserAuthModule } from './user-auth.module';

/** Starts user-auth answering on the bus; used by main.ts and by the integration tests. */
export async function startUserAuth(
  config: TesseraConfig,
  logger: Logger = createLogger('user-auth', config.TESSERA_LOG_LEVEL),
): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(UserAuthModule.forRoot(config, logger), {
    strategy: new BusServer(config, 'user-auth'),
    logger: new NestPinoLogger(logger),
  });
  app.enableShutdownHooks();
  await app.listen();
  return app;
}
