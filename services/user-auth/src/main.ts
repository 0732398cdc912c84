import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { startUserAuth } from './start';

async function main() {
  const config = loadConfig();
  const logger = createLogger('user-auth', config.TESSERA_LOG_LEVEL);
  await startUserAuth(config, logger);
  logger.info(
    { nats: config.NATS_URL, keysFolder: config.paths.sshKeys },
    'user-auth is answering',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `user-auth could not start: ${err instanceof ConfigError ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
