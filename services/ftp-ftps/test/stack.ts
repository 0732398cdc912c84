import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BusClient } from '@tessera/bus';
import {
  pkiCertificateLoad,
  pkiCsrCreate,
  settingsUpdate,
  usersCreate,
  type RequestOf,
  type Settings,
} from '@tessera/contracts';
import {
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  deleteEventStream,
  eventually,
  freePort,
  startServices,
  type TestEnvironment,
} from '@tessera/testing';
import { loadFtpSettings, type FtpSettings } from '../src/settings';
import { startFtp, type FtpDoor } from '../src/start';
import { makeTestCa, type TestCa } from './test-ca';

export { freePort };

export interface Stack {
  env: TestEnvironment;
  bus: BusClient;
  door: FtpDoor;
  /** ftp.port and ftps.implicit-port as configured (the door may not listen on both). */
  port: number;
  implicitPort: number;
  homes: string;
  /** Scratch folder for the clients' local files. */
  work: string;
  /** The root that signed the door's certificate (for 127.0.0.1 and localhost). */
  ca: TestCa;
  log: ReturnType<typeof capturingLogger>;
  createUser(request: RequestOf<typeof usersCreate>): Promise<void>;
  /** Changes live settings through user-auth, as `tessera settings set` does. */
  setSettings(changes: Partial<Settings>): Promise<void>;
  close(): Promise<void>;
}

/** A passive range of this test file's own, below Linux's ephemeral ports (where freePort lands). */
function passiveRange(): string {
  const low = 20_000 + Math.floor(Math.random() * 490) * 20;
  return `${low}-${low + 19}`;
}

/**
 * The real thing for one test file: its own database, subject prefix and data folder; the real
 * user-auth and pki services as processes, and the FTP door in this process on free ports, with a
 * certificate signed by a test CA made here.
 */
export async function startStack(settings: Partial<FtpSettings> = {}): Promise<Stack> {
  const db = await createTestDatabase();
  const port = await freePort();
  const implicitPort = await freePort();
  const env = await createTestEnvironment(db.url, {
    TESSERA_FTP_PORT: String(port),
    TESSERA_FTPS_IMPLICIT_PORT: String(implicitPort),
    TESSERA_PASV_RANGE: passiveRange(),
  });
  const work = await mkdtemp(path.join(os.tmpdir(), 'ftp-work-'));
  const ca = makeTestCa(work);
  const bus = await BusClient.connect(env.config, 'ftp-test');
  const services = await startServices(['user-auth', 'pki'], { env: env.env, bus });
  await activateCaCertificate(bus, ca);
  const log = capturingLogger();
  const door = await startFtp(env.config, log.logger, {
    settings: { ...loadFtpSettings({}), ...settings },
    waitMs: 20_000,
  });
  const request = async <T>(
    what: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
  ) => {
    const r = await what;
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  return {
    env,
    bus,
    door,
    port,
    implicitPort,
    homes: env.config.paths.homes,
    work,
    ca,
    log,
    createUser: async (user) => void (await request(bus.request(usersCreate, user))),
    setSettings: async (changes) => {
      await request(bus.request(settingsUpdate, { changes }));
      // The door applies settings when the announcement arrives; its ports say when.
      await eventually(() => settled(door, changes) || undefined);
    },
    close: async () => {
      await door.close();
      await deleteEventStream(bus.connection, bus.prefix);
      await bus.close();
      await services.close();
      await db.drop();
      await env.cleanup();
      await rm(work, { recursive: true, force: true });
    },
  };
}

/** The door has taken the changes, and opened or closed its ports as they say. */
function settled(door: FtpDoor, changes: Partial<Settings>): boolean {
  const taken = Object.entries(changes).every(
    ([name, value]) => door.live[name as keyof Settings] === value,
  );
  const live = door.live;
  const ftpOpen = live['ftp.plain'] || live['ftp.explicit-tls'];
  return (
    taken &&
    (door.port !== null) === ftpOpen &&
    (door.implicitPort !== null) === live['ftp.implicit-tls']
  );
}

/** A certificate for 127.0.0.1 from the test CA, made active through pki (CSR, then load). */
async function activateCaCertificate(bus: BusClient, ca: TestCa): Promise<void> {
  const csr = await bus.request(pkiCsrCreate, {
    subject: { commonName: 'ftp.tessera.test' },
    altNames: ['127.0.0.1', 'localhost'],
  });
  if (!csr.ok) throw new Error(csr.error.message);
  const loaded = await bus.request(pkiCertificateLoad, {
    certificate: ca.sign(csr.value.csr.csrPem),
    chain: [],
  });
  if (!loaded.ok) throw new Error(loaded.error.message);
}

export function homeOf(stack: Stack, homeFolder: string, ...rest: string[]): string {
  return path.join(stack.homes, homeFolder, ...rest);
}
