import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { startNotices } from './start';

async function main() {
  const config = loadConfig();
  const logger = createLogger('notices', config.TESSERA_LOG_LEVEL);
  await startNotices(config, logger);
  logger.info({ nats: config.NATS_URL }, 'notices is following the event stream');
}

main().catch((err: unknown) => {
  process.stderr.write(
    `notices could not start: ${err instanceof ConfigError ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
