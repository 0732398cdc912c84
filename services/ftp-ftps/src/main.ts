import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { loadFtpSettings } from './settings';
import { startFtp } from './start';

async function main() {
  const config = loadConfig();
  const settings = loadFtpSettings();
  const logger = createLogger('ftp-ftps', config.TESSERA_LOG_LEVEL);
  const door = await startFtp(config, logger, { settings });
  const stop = () => void door.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `ftp-ftps could not start: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
