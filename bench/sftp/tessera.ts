import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { BusClient, ensureEventStream } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { usersCreate, usersKeysAdd } from '@tessera/contracts';
import { migrateDatabase } from '@tessera/db';
import { startServices } from '@tessera/testing';
import { freePort, waitForPort, type Login } from './run';

export interface TesseraServer {
  login: Login;
  /** The bench user's home folder on disk. */
  folder: string;
  /** The sftp service's process, whose memory we watch. */
  pid: number;
  stop(): Promise<void>;
}

const repoRoot = path.resolve(__dirname, '../..');

/**
 * Tessera as it runs for real: a database of the bench's own (migrated, dropped at the end), the
 * real user-auth and pki services (compiled, as processes: they sit idle during transfers), and
 * the sftp service in a process of its own, started the way `npm start` would.
 */
export async function startTessera(work: string, clientPublicKey: string): Promise<TesseraServer> {
  const dbName = `tessera_bench_${randomBytes(4).toString('hex')}`;
  const admin =
    process.env.TESSERA_TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const env: Record<string, string> = {
    DATABASE_URL: admin.replace(/\/[^/]*$/, `/${dbName}`),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    TESSERA_BUS_PREFIX: `bench${randomBytes(4).toString('hex')}.`,
    TESSERA_DATA_DIR: path.join(work, 'tessera-data'),
    TESSERA_SFTP_PORT: String(await freePort()),
    TESSERA_LOG_LEVEL: 'warn',
  };
  await mkdir(env.TESSERA_DATA_DIR!, { recursive: true });
  await migrateDatabase(env.DATABASE_URL!);
  const config = loadConfig({ ...env, NODE_ENV: 'test' });
  const services = await startServices(['user-auth', 'pki'], { env: { ...env, NODE_ENV: 'test' } });
  const sftp: ChildProcess = spawn(
    process.execPath,
    // The compiled door, as it runs in production (`npm run bench:sftp` builds first).
    // BENCH_SFTP_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the service.
    [...nodeArgs(), 'dist/services/sftp/src/main.js'],
    {
      cwd: repoRoot,
      env: { ...process.env, ...env, NODE_ENV: 'test' },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  await waitForPort(config.TESSERA_SFTP_PORT);
  const bus = await BusClient.connect(config, 'bench');
  await addUser(bus, clientPublicKey);
  return {
    login: { port: config.TESSERA_SFTP_PORT, user: 'bench', identity: '' },
    folder: path.join(config.paths.homes, 'bench'),
    pid: sftp.pid ?? 0,
    stop: async () => {
      sftp.kill('SIGTERM');
      await new Promise((resolve) => sftp.once('exit', resolve));
      const jsm = await bus.connection.jetstreamManager();
      await jsm.streams
        .delete(await ensureEventStream(bus.connection, bus.prefix))
        .catch(() => false);
      await bus.close();
      await services.close();
      await dropDatabase(admin, dbName);
    },
  };
}

function nodeArgs(): string[] {
  return (process.env.BENCH_SFTP_NODE_ARGS ?? '').split(' ').filter(Boolean);
}

async function addUser(bus: BusClient, publicKey: string): Promise<void> {
  const created = await bus.request(usersCreate, { username: 'bench', homeFolder: 'bench' });
  if (!created.ok) throw new Error(`cannot create the bench user: ${created.error.message}`);
  const key = await bus.request(usersKeysAdd, { username: 'bench', line: publicKey.trim() });
  if (!key.ok) throw new Error(`cannot add the bench key: ${key.error.message}`);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
