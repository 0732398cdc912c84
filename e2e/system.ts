import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { usersList } from '@tessera/contracts';

export const repoRoot = path.resolve(__dirname, '..');

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningSystem {
  env: Record<string, string>;
  bus: BusClient;
  output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts Tessera with `npm start`, exactly as the README tells a new user, against a database that
 * does not exist yet (npm start must create and migrate it), on ports and a subject prefix of its own.
 */
export async function startSystem(): Promise<RunningSystem> {
  const admin =
    process.env.TESSERA_TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const dbName = `tessera_e2e_${randomBytes(5).toString('hex')}`;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-'));
  const env: Record<string, string> = {
    DATABASE_URL: admin.replace(/\/[^/]*$/, `/${dbName}`),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    TESSERA_BUS_PREFIX: `e2e${randomBytes(4).toString('hex')}.`,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: 'info',
  };
  for (const name of ['HTTP', 'HTTPS', 'FTP', 'FTPS_IMPLICIT', 'SFTP'])
    env[`TESSERA_${name}_PORT`] = String(await freePort());
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const bus = await BusClient.connect(loadConfig(env), 'e2e');
  const stop = async () => {
    await bus.close();
    await killGroup(child);
    const pg = new Client({ connectionString: admin });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await pg.end();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitUntilAnswering(bus, child, () => log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { env, bus, output: () => log, stop };
}

async function waitUntilAnswering(
  bus: BusClient,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${log()}`);
    // The ready line is the promise: once printed, the services must already answer.
    if (/^Tessera \S+ is ready/m.test(log())) {
      if ((await bus.request(usersList, {}, { timeoutMs: 1000 })).ok) return;
      throw new Error(`npm start said ready but user-auth does not answer:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Tessera printed no ready line within 90 s:\n${log()}`);
}

async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || !child.pid) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 8000).unref())]);
  if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  // The services may still hold the pipes a moment after npm exits: let go of our ends.
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Runs the `tessera` CLI the way the README shows: `npx tessera …` from the repository. */
export function tessera(env: Record<string, string>, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      'npx',
      ['tessera', ...args],
      { cwd: repoRoot, env: { ...process.env, ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}
