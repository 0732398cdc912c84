import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import { BusServer } from '@tessera/bus';
import { createLogger, NestPinoLogger, type Logger, type TesseraConfig } from '@tessera/config';
import { loadMasterKey } from './master-key/master-key';
import { PkiModule, type PkiOptions } from './pki.module';

/**
 * Starts the pki service answering on the bus; used by main.ts and by the integration tests.
 * Refuses to start without a usable master key (see README.md), and on first start makes a
 * self-signed certificate for this host and the SSH host keys.
 */
export async function startPki(
  config: TesseraConfig,
  logger: Logger = createLogger('pki', config.TESSERA_LOG_LEVEL),
  options: PkiOptions = {},
): Promise<INestMicroservice> {
  const masterKey = await loadMasterKey(config, logger);
  const app = await NestFactory.createMicroservice(
    PkiModule.forRoot(config, logger, masterKey, options),
    { strategy: new BusServer(config, 'pki'), logger: new NestPinoLogger(logger) },
  );
  app.enableShutdownHooks();
  try {
    await app.listen();
  } catch (err) {
    await app.close().catch(() => undefined);
    throw err;
  }
  return app;
}
