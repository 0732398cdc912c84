import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { BusClient, ensureEventStream } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { pkiCertificateSelfSigned, usersCreate } from '@tessera/contracts';
import { migrateDatabase } from '@tessera/db';
import { startServices } from '@tessera/testing';
import { freePort } from '../sftp/run';
import { dropDatabase } from '../sftp/tessera';
import { webRequest } from './web';

export interface TesseraWeb {
  port: number;
  /** The bench user's home folder on disk. */
  folder: string;
  /** What every API request carries: the session cookie, the CSRF token, the origin. */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Tessera's web door as it runs for real: compiled user-auth, pki and web-gateway as processes, a
 * database of the bench's own (dropped at the end), an ECDSA P-256 certificate like nginx's, and a
 * logged-in session of the user `bench`.
 */
export async function startTesseraWeb(work: string): Promise<TesseraWeb> {
  const dbName = `tessera_bench_${randomBytes(4).toString('hex')}`;
  const admin =
    process.env.TESSERA_TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const port = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: admin.replace(/\/[^/]*$/, `/${dbName}`),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    TESSERA_BUS_PREFIX: `bench${randomBytes(4).toString('hex')}.`,
    TESSERA_DATA_DIR: path.join(work, 'tessera-data'),
    TESSERA_HTTPS_PORT: String(port),
    TESSERA_HTTP_PORT: String(await freePort()),
    TESSERA_LOG_LEVEL: 'warn',
  };
  await mkdir(env.TESSERA_DATA_DIR!, { recursive: true });
  await migrateDatabase(env.DATABASE_URL!);
  const config = loadConfig(env);
  const services = await startServices(['user-auth', 'pki', 'web-gateway'], { env });
  const bus = await BusClient.connect(config, 'bench');
  const stop = async () => {
    const jsm = await bus.connection.jetstreamManager();
    await jsm.streams
      .delete(await ensureEventStream(bus.connection, bus.prefix))
      .catch(() => false);
    await bus.close();
    await services.close();
    await dropDatabase(admin, dbName);
  };
  try {
    await prepare(bus);
    const folder = path.join(config.paths.homes, 'bench');
    await mkdir(folder, { recursive: true });
    return { port, folder, headers: await logIn(port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function prepare(bus: BusClient): Promise<void> {
  const created = await bus.request(usersCreate, {
    username: 'bench',
    homeFolder: 'bench',
    password: 'bench-password',
  });
  if (!created.ok) throw new Error(`cannot create the bench user: ${created.error.message}`);
  const certificate = await bus.request(pkiCertificateSelfSigned, {
    subject: { commonName: '127.0.0.1' },
    keyType: 'ecdsa-p256',
    validityDays: 2,
  });
  if (!certificate.ok) throw new Error(`no certificate: ${certificate.error.message}`);
  // The door swaps certificates live; give the announcement a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

async function logIn(port: number): Promise<Record<string, string>> {
  const origin = `https://127.0.0.1:${port}`;
  const answer = await webRequest(port, 'POST', '/api/login', {
    headers: { origin, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ username: 'bench', password: 'bench-password' })),
  });
  const cookie = answer.headers['set-cookie']?.[0]?.split(';')[0];
  if (answer.status !== 200 || !cookie) throw new Error(`login refused: ${answer.status}`);
  const { csrfToken } = JSON.parse(answer.body.toString()) as { csrfToken: string };
  return { origin, cookie, 'x-csrf-token': csrfToken };
}
