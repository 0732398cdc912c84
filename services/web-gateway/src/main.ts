import { ConfigError, createLogger, loadConfig } from '@tessera/config';
import { loadWebSettings } from './settings';
import { startWebGateway } from './start';

async function main() {
  const config = loadConfig();
  const settings = loadWebSettings();
  const logger = createLogger('web-gateway', config.TESSERA_LOG_LEVEL);
  const door = await startWebGateway(config, logger, { settings });
  const stop = () => void door.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `web-gateway could not start: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
