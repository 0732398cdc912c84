import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { loadSftpSettings } from './settings';
import { startSftp } from './start';

async function main() {
  const config = loadConfig();
  const settings = loadSftpSettings();
  const logger = createLogger('sftp', config.TESSERA_LOG_LEVEL);
  const door = await startSftp(config, logger, { settings });
  const stop = () => void door.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `sftp could not start: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
