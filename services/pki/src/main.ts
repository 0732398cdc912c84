import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { startPki } from './start';

async function main() {
  const config = loadConfig();
  const logger = createLogger('pki', config.TESSERA_LOG_LEVEL);
  await startPki(config, logger);
  logger.info({ nats: config.NATS_URL }, 'pki is answering');
}

main().catch((err: unknown) => {
  process.stderr.write(
    `pki could not start: ${err instanceof ConfigError ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
