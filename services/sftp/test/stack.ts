import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { BusClient } from '@tessera/bus';
import { usersCreate, type RequestOf } from '@tessera/contracts';
import {
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  deleteEventStream,
  freePort,
  startServices,
  type TestDatabase,
  type TestEnvironment,
} from '@tessera/testing';
import { loadSftpSettings, type SftpSettings } from '../src/settings';
import { startSftp, type SftpDoor } from '../src/start';

export { freePort };

export interface Stack {
  env: TestEnvironment;
  bus: BusClient;
  door: SftpDoor;
  port: number;
  homes: string;
  keysFolder: string;
  log: ReturnType<typeof capturingLogger>;
  createUser(request: RequestOf<typeof usersCreate>): Promise<void>;
  close(): Promise<void>;
}

/**
 * The real thing for one test file: its own database, subject prefix and data folder; the real
 * user-auth and pki services as processes (startServices), and the SFTP door in this process (so
 * a test can read its log and reach into it) on a free port.
 */
export async function startStack({
  maxUsers,
  maxConnectionsPerUser,
  doorNatsUrl,
  ...settings
}: Partial<SftpSettings> & {
  maxUsers?: number;
  maxConnectionsPerUser?: number;
  /** The door alone reaches NATS here (e.g. through a proxy a test can cut). */
  doorNatsUrl?: string;
} = {}): Promise<Stack> {
  const db: TestDatabase = await createTestDatabase();
  const port = await freePort();
  // The door's run-time settings come from user-auth, seeded from this environment.
  const env = await createTestEnvironment(db.url, {
    TESSERA_SFTP_PORT: String(port),
    ...(maxUsers ? { TESSERA_SFTP_MAX_USERS: String(maxUsers) } : {}),
    ...(maxConnectionsPerUser
      ? { TESSERA_SFTP_MAX_CONNECTIONS_PER_USER: String(maxConnectionsPerUser) }
      : {}),
  });
  const bus = await BusClient.connect(env.config, 'sftp-test');
  const services = await startServices(['user-auth', 'pki'], { env: env.env, bus });
  const log = capturingLogger();
  const doorConfig = doorNatsUrl ? { ...env.config, NATS_URL: doorNatsUrl } : env.config;
  const door = await startSftp(doorConfig, log.logger, {
    settings: { ...loadSftpSettings({}), ...settings },
    hostKeyWaitMs: 20_000,
  });
  return {
    env,
    bus,
    door,
    port,
    homes: env.config.paths.homes,
    keysFolder: env.config.paths.sshKeys,
    log,
    createUser: async (request) => {
      const created = await bus.request(usersCreate, request);
      if (!created.ok)
        throw new Error(`cannot create ${request.username}: ${created.error.message}`);
    },
    close: async () => {
      await door.close();
      await deleteEventStream(bus.connection, bus.prefix);
      await bus.close();
      await services.close();
      await db.drop();
      await env.cleanup();
    },
  };
}

export function homeOf(stack: Stack, homeFolder: string, ...rest: string[]): string {
  return path.join(stack.homes, homeFolder, ...rest);
}

/** ssh2-sftp-client logged in as a test user (password `<name>-password`), kept in `opened` to end later. */
export async function connectAs(
  stack: Stack,
  username: string,
  opened: SftpClient[],
): Promise<SftpClient> {
  const client = new SftpClient();
  await client.connect({
    host: '127.0.0.1',
    port: stack.port,
    username,
    password: `${username}-password`,
  });
  opened.push(client);
  return client;
}
