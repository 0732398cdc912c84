import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BusClient } from '@tessera/bus';
import { settingsUpdate, usersCreate, type RequestOf, type Settings } from '@tessera/contracts';
import {
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  freePort,
  startServices,
  type TestEnvironment,
  type TestServices,
} from '@tessera/testing';
import { loadWebSettings, type WebSettings } from '../src/settings';
import { startWebGateway, type WebGateway } from '../src/start';

export interface Stack {
  env: TestEnvironment;
  bus: BusClient;
  services: TestServices;
  gateway: WebGateway;
  httpsPort: number;
  httpPort: number;
  log: ReturnType<typeof capturingLogger>;
  createUser(request: RequestOf<typeof usersCreate>): Promise<void>;
  changeSettings(changes: Partial<Settings>): Promise<void>;
  home(homeFolder: string, ...rest: string[]): string;
  close(): Promise<void>;
}

/**
 * The real thing for one test file: its own database, prefix and data folder; user-auth and pki
 * as processes; the web door in this process on free ports, serving `pageDir` (by default a
 * stand-in page).
 */
export async function startStack(
  settings: Partial<WebSettings> = {},
  pageDir?: string,
): Promise<Stack> {
  const db = await createTestDatabase();
  const [httpsPort, httpPort] = [await freePort(), await freePort()];
  const env = await createTestEnvironment(db.url, {
    TESSERA_HTTPS_PORT: String(httpsPort),
    TESSERA_HTTP_PORT: String(httpPort),
    TESSERA_WEB_HOST_NAME: 'files.example.test',
  });
  const bus = await BusClient.connect(env.config, 'web-test');
  const services = await startServices(['user-auth', 'pki'], { env: env.env, bus });
  const log = capturingLogger();
  const gateway = await startWebGateway(env.config, log.logger, {
    settings: { ...loadWebSettings({}), ...settings },
    waitMs: 20_000,
    pageDir: pageDir ?? (await standInPage(env.dataDir)),
  });
  return {
    env,
    bus,
    services,
    gateway,
    httpsPort,
    httpPort,
    log,
    createUser: async (request) => {
      const created = await bus.request(usersCreate, request);
      if (!created.ok)
        throw new Error(`cannot create ${request.username}: ${created.error.message}`);
    },
    changeSettings: async (changes) => {
      const changed = await bus.request(settingsUpdate, { changes });
      if (!changed.ok) throw new Error(`settings refused: ${changed.error.message}`);
    },
    home: (homeFolder, ...rest) => path.join(env.config.paths.homes, homeFolder, ...rest),
    close: async () => {
      await gateway.sessions.destroy().catch(() => undefined);
      await gateway.close();
      await bus.close();
      await services.close();
      await db.drop();
      await env.cleanup();
    },
  };
}

async function standInPage(dataDir: string): Promise<string> {
  const pageDir = path.join(dataDir, 'page');
  await mkdir(pageDir);
  await writeFile(path.join(pageDir, 'index.html'), '<!doctype html><title>Tessera</title>');
  return pageDir;
}
