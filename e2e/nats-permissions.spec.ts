import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { AckPolicy, connect, type NatsConnection } from 'nats';
import { BusClient, ensureEventStream } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import {
  authPasswordVerify,
  authSessionCheck,
  liveSessionsList,
  usersChanged,
  usersUpdate,
  pkiCertificateMaterial,
  pkiCertificateShow,
  pkiHostKeysMaterial,
  settingsChanged,
  settingsGet,
  settingsUpdate,
  usersCreate,
  usersList,
  usersUnlock,
  pkiHostKeysRegenerate,
  type AnyRequestContract,
} from '@tessera/contracts';
import {
  createTestDatabase,
  createTestEnvironment,
  eventually,
  startServices,
  type TestDatabase,
  type TestEnvironment,
  type TestServices,
} from '@tessera/testing';
import { freePort, repoRoot } from './system';

/**
 * deploy/nats/nats.conf, enforced by a real nats-server of this test's own, with the real
 * user-auth, pki and web-gateway services connected under their own accounts.
 */
const users = ['user-auth', 'pki', 'sftp', 'web-gateway', 'ftp-ftps', 'cli', 'notices'] as const;
type NatsUser = (typeof users)[number];
// Letters only: nats-server parses the substituted value, and a hex one such as 3e0d… is a number.
const letters = (n: number) =>
  Array.from(randomBytes(n), (b) => String.fromCharCode(97 + (b % 26))).join('');
const passwords = Object.fromEntries(users.map((u) => [u, letters(24)])) as Record<
  NatsUser,
  string
>;

let server: ChildProcess;
let natsUrl: string;
let storeDir: string;
let db: TestDatabase;
let env: TestEnvironment;
let services: TestServices | undefined;
let httpsPort: number;
const clients: BusClient[] = [];

function envAs(user: NatsUser): Record<string, string> {
  return {
    ...env.env,
    NATS_URL: natsUrl,
    NATS_USER: user,
    NATS_PASSWORD: passwords[user],
    TESSERA_BUS_PREFIX: '',
  };
}

function configAs(user: NatsUser) {
  return loadConfig(envAs(user));
}

async function clientAs(user: NatsUser): Promise<BusClient> {
  const client = await BusClient.connect(configAs(user), `${user}-probe`);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const port = await freePort();
  storeDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-nats-'));
  natsUrl = `nats://127.0.0.1:${port}`;
  const secrets = Object.fromEntries(
    users.map((u) => [`TESSERA_NATS_PASSWORD_${u.toUpperCase().replace('-', '_')}`, passwords[u]]),
  );
  server = spawn(
    '/usr/sbin/nats-server',
    [
      '-c',
      path.join(repoRoot, 'deploy/nats/nats.conf'),
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-m',
      String(await freePort()),
      '-sd',
      storeDir,
    ],
    {
      env: { ...process.env, ...secrets },
      stdio: 'ignore',
    },
  );
  await waitForServer(natsUrl, passwords.cli);
  db = await createTestDatabase();
  httpsPort = await freePort();
  // The FTP door listens too: ports of this test's own (a passive range below the ephemeral ones).
  const passive = 20_000 + Math.floor(Math.random() * 490) * 20;
  env = await createTestEnvironment(db.url, {
    TESSERA_HTTPS_PORT: String(httpsPort),
    TESSERA_HTTP_PORT: String(await freePort()),
    TESSERA_FTP_PORT: String(await freePort()),
    TESSERA_FTPS_IMPLICIT_PORT: String(await freePort()),
    TESSERA_PASV_RANGE: `${passive}-${passive + 19}`,
  });
  services = await startServices(['user-auth', 'pki', 'web-gateway'], {
    env: envAs('cli'),
    envFor: (name) => envAs(name as NatsUser),
    bus: await clientAs('cli'),
  });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await services?.close();
  server?.kill();
  await db?.drop();
  await env?.cleanup();
  await rm(storeDir, { recursive: true, force: true });
});

async function waitForServer(url: string, password: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const nc = await connect({ servers: url, user: 'cli', pass: password }).catch(() => undefined);
    if (nc) return nc.close();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('nats-server did not start');
}

/** Allowed: the real service answers (yes or no). Denied: the server refuses the publish itself. */
async function answered(
  client: BusClient,
  contract: AnyRequestContract,
  payload: unknown,
): Promise<boolean> {
  const reply = await client.request(contract, payload as never, { timeoutMs: 3000 });
  if (reply.ok) return true;
  if (
    reply.error.code === 'forbidden' &&
    reply.error.message.includes('NATS account may not ask')
  ) {
    return false;
  }
  expect(reply.error.code).not.toBe('unavailable');
  return true;
}

/** One HTTPS request to the web gateway (its certificate is pki's self-signed one). */
function webCall(
  method: string,
  urlPath: string,
  { cookie, body }: { cookie?: string; body?: unknown } = {},
): Promise<{ status: number; cookie?: string }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = {
    origin: `https://127.0.0.1:${httpsPort}`,
    ...(cookie ? { cookie } : {}),
    ...(data ? { 'content-type': 'application/json' } : {}),
  };
  return new Promise<{ status: number; cookie?: string }>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        method,
        path: urlPath,
        headers,
        agent: false,
        rejectUnauthorized: false,
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            cookie: res.headers['set-cookie']?.[0]?.split(';')[0],
          }),
        );
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(data);
  });
}

/** The server's refusal of a subscription, or "no error" once it had time to refuse. */
function subscribeError(nc: NatsConnection, subject: string): Promise<string> {
  return new Promise<string>((resolve) => {
    nc.subscribe(subject, { callback: (err) => err && resolve(err.message) });
    setTimeout(() => resolve('no error'), 1500).unref();
  });
}

/** The server's refusal of a publish: it comes back as an asynchronous connection error. */
async function publishError(nc: NatsConnection, subject: string): Promise<string> {
  const refused = (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error') return String(status.data);
    }
    return 'closed';
  })();
  nc.publish(subject, new TextEncoder().encode('{}'));
  return Promise.race([
    refused,
    new Promise<string>((resolve) => setTimeout(() => resolve('no error'), 1500).unref()),
  ]);
}

describe('NATS accounts (deploy/nats/nats.conf)', () => {
  it('lets the SFTP door check passwords and fetch host keys, and nothing about users or TLS keys', async () => {
    const sftp = await clientAs('sftp');
    expect(
      await answered(sftp, authPasswordVerify, { username: 'x', password: 'y', protocol: 'sftp' }),
    ).toBe(true);
    expect(await answered(sftp, pkiHostKeysMaterial, {})).toBe(true);
    expect(await answered(sftp, usersCreate, { username: 'mallory', homeFolder: 'm' })).toBe(false);
    expect(await answered(sftp, usersList, {})).toBe(false);
    expect(await answered(sftp, usersUnlock, { address: '192.0.2.7' })).toBe(false);
    expect(await answered(sftp, pkiCertificateMaterial, {})).toBe(false);
  });

  it('lets the SFTP door read settings and follow settings.changed, but not change or announce them', async () => {
    const sftp = await clientAs('sftp');
    expect(await answered(sftp, settingsGet, {})).toBe(true);
    expect(await answered(sftp, settingsUpdate, { changes: { 'sftp.max-users': 1 } })).toBe(false);
    expect(await subscribeError(sftp.connection, settingsChanged.subject)).toBe('no error');
    expect(await publishError(sftp.connection, settingsChanged.subject)).toMatch(
      /permissions.violation/i,
    );
  });

  it('lets the FTP door start under its own account: TLS material, but no host keys and no users', async () => {
    const door = await startServices(['ftp-ftps'], {
      env: envAs('cli'),
      envFor: (name) => envAs(name as NatsUser),
      bus: await clientAs('cli'),
    });
    try {
      const ftp = await clientAs('ftp-ftps');
      expect(
        await answered(ftp, authPasswordVerify, { username: 'x', password: 'y', protocol: 'ftps' }),
      ).toBe(true);
      expect(await answered(ftp, pkiCertificateMaterial, {})).toBe(true);
      expect(await answered(ftp, authSessionCheck, { username: 'x', keys: [] })).toBe(true);
      expect(await answered(ftp, settingsGet, {})).toBe(true);
      expect(await answered(ftp, pkiHostKeysMaterial, {})).toBe(false);
      expect(await answered(ftp, usersCreate, { username: 'mallory', homeFolder: 'm' })).toBe(
        false,
      );
      expect(await answered(ftp, usersList, {})).toBe(false);
      expect(await answered(ftp, usersUpdate, { username: 'x', enabled: true })).toBe(false);
      expect(await answered(ftp, usersUnlock, { address: '192.0.2.7' })).toBe(false);
      expect(await answered(ftp, settingsUpdate, { changes: { 'ftp.plain': true } })).toBe(false);
      expect(await publishError(ftp.connection, usersChanged.subject)).toMatch(
        /permissions.violation/i,
      );
      const cli = await clientAs('cli');
      const listed = await cli.requestAll(liveSessionsList, {}, { waitMs: 500 });
      expect(listed).toContainEqual({
        ok: true,
        value: expect.objectContaining({ service: 'ftp-ftps', sessions: [] }),
      });
    } finally {
      await door.close();
    }
  });

  it('lets the operator CLI read and change settings, and user-auth announce the change to doors', async () => {
    const cli = await clientAs('cli');
    const door = await clientAs('sftp');
    const heard = new Promise<string>((resolve) => {
      door.connection.subscribe(settingsChanged.subject, {
        callback: (_err, msg) => resolve(new TextDecoder().decode(msg.data)),
      });
    });
    await door.connection.flush();
    expect(await answered(cli, settingsGet, {})).toBe(true);
    const changed = await cli.request(settingsUpdate, { changes: { 'sftp.max-users': 42 } });
    expect(changed).toMatchObject({ ok: true, value: { changed: ['sftp.max-users'] } });
    expect(JSON.parse(await heard)).toMatchObject({ changed: ['sftp.max-users'] });
  });

  it('lets the operator CLI manage users and see certificates, but not check passwords or take key material', async () => {
    const cli = await clientAs('cli');
    expect(await answered(cli, usersCreate, { username: 'alice', homeFolder: 'alice' })).toBe(true);
    expect(await answered(cli, pkiCertificateShow, {})).toBe(true);
    expect(await answered(cli, usersUnlock, { username: 'alice' })).toBe(true);
    expect(
      await answered(cli, authPasswordVerify, {
        username: 'alice',
        password: 'guess',
        protocol: 'cli',
      }),
    ).toBe(false);
    expect(await answered(cli, pkiHostKeysMaterial, {})).toBe(false);
    expect(await answered(cli, pkiCertificateMaterial, {})).toBe(false);
  });

  it('lets user-auth alone announce users.changed, which the door follows and checks', async () => {
    const cli = await clientAs('cli');
    const door = await clientAs('sftp');
    const heard = new Promise<string>((resolve) => {
      door.connection.subscribe(usersChanged.subject, {
        callback: (_err, msg) => resolve(new TextDecoder().decode(msg.data)),
      });
    });
    await door.connection.flush();
    await cli.request(usersCreate, { username: 'carol', homeFolder: 'carol' });
    expect(await answered(cli, usersUpdate, { username: 'carol', enabled: false })).toBe(true);
    expect(JSON.parse(await heard)).toMatchObject({ username: 'carol', changes: ['disabled'] });
    expect(await answered(door, authSessionCheck, { username: 'carol', keys: [] })).toBe(true);
    expect(await answered(cli, authSessionCheck, { username: 'carol', keys: [] })).toBe(false);
    expect(await publishError(cli.connection, usersChanged.subject)).toMatch(
      /permissions.violation/i,
    );
    expect(await publishError(door.connection, usersChanged.subject)).toMatch(
      /permissions.violation/i,
    );
  });

  it('lets the operator CLI ask the doors for live sessions, and the door answer', async () => {
    const cli = await clientAs('cli');
    const door = await clientAs('sftp');
    expect(await subscribeError(door.connection, liveSessionsList.subject)).toBe('no error');
    // The SFTP door is not running here; the web gateway answers for the web sessions.
    expect(await cli.requestAll(liveSessionsList, {}, { waitMs: 500 })).toEqual([
      { ok: true, value: { service: 'web-gateway', instance: expect.any(String), sessions: [] } },
    ]);
  });

  it("keeps every client out of the others' replies and requests", async () => {
    const nc = (await clientAs('sftp')).connection;
    const denied = (subject: string) =>
      new Promise<string>((resolve) => {
        nc.subscribe(subject, { callback: (err) => err && resolve(err.message) });
        setTimeout(() => resolve('no error'), 1500).unref();
      });
    expect(await denied('_INBOX.cli.>')).toMatch(/permissions violation/i);
    expect(await denied('auth.password.verify')).toMatch(/permissions violation/i);
  });

  it('lets the SFTP door keep its events in JetStream', async () => {
    const nc: NatsConnection = (await clientAs('sftp')).connection;
    const stream = await ensureEventStream(nc);
    const ack = await nc.jetstream().publish('files.deleted', new TextEncoder().encode('{}'));
    expect(ack.stream).toBe(stream);
  });

  it('lets the notices service consume the event stream with its own durable, and do nothing a door does', async () => {
    const door = (await clientAs('sftp')).connection;
    const stream = await ensureEventStream(door);
    await door.jetstream().publish('folders.created', new TextEncoder().encode('{}'));
    const notices = await clientAs('notices');
    const jsm = await notices.connection.jetstreamManager();
    await jsm.consumers.add(stream, { durable_name: 'notices', ack_policy: AckPolicy.Explicit });
    const consumer = await notices.connection.jetstream().consumers.get(stream, 'notices');
    const message = await consumer.next({ expires: 2000 });
    expect(message?.subject).toMatch(/^(files|folders)\./);
    await message!.ackAck();
    await expect(
      jsm.consumers.add(stream, { durable_name: 'someone-else', ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow();
    expect(
      await answered(notices, authPasswordVerify, {
        username: 'x',
        password: 'y',
        protocol: 'sftp',
      }),
    ).toBe(false);
    expect(await answered(notices, usersCreate, { username: 'mallory', homeFolder: 'm' })).toBe(
      false,
    );
    expect(await answered(notices, settingsGet, {})).toBe(true);
    expect(await publishError(notices.connection, 'files.uploaded')).toMatch(
      /permissions.violation/i,
    );
  });

  it('lets the web gateway log users in, keep its sessions in its KV bucket and end them on users.changed', async () => {
    const cli = await clientAs('cli');
    const created = await cli.request(usersCreate, {
      username: 'webby',
      homeFolder: 'webby',
      password: 'webby-password',
    });
    expect(created.ok).toBe(true);
    const login = await webCall('POST', '/api/login', {
      body: { username: 'webby', password: 'webby-password' },
    });
    expect(login.status).toBe(200);
    expect((await webCall('GET', '/api/session', { cookie: login.cookie })).status).toBe(200);
    expect(await answered(cli, usersUpdate, { username: 'webby', enabled: false })).toBe(true);
    await eventually(async () =>
      (await webCall('GET', '/api/session', { cookie: login.cookie })).status === 401
        ? true
        : undefined,
    );
  });

  it('keeps the web gateway from changing users or settings, host keys and other JetStream streams', async () => {
    const web = await clientAs('web-gateway');
    expect(await answered(web, pkiCertificateMaterial, {})).toBe(true);
    expect(await answered(web, settingsGet, {})).toBe(true);
    expect(await answered(web, usersCreate, { username: 'mallory', homeFolder: 'm' })).toBe(false);
    expect(await answered(web, usersUpdate, { username: 'webby', enabled: true })).toBe(false);
    expect(await answered(web, usersUnlock, { username: 'webby' })).toBe(false);
    expect(await answered(web, usersList, {})).toBe(false);
    expect(await answered(web, settingsUpdate, { changes: { 'web.hsts': true } })).toBe(false);
    expect(await answered(web, pkiHostKeysMaterial, {})).toBe(false);
    expect(await answered(web, pkiHostKeysRegenerate, {})).toBe(false);
    expect(await publishError(web.connection, usersChanged.subject)).toMatch(
      /permissions.violation/i,
    );
    expect(await publishError(web.connection, '$JS.API.STREAM.INFO.KV_other')).toMatch(
      /permissions.violation/i,
    );
    expect(await subscribeError(web.connection, 'auth.password.verify')).toMatch(
      /permissions.violation/i,
    );
  });

  it("keeps the other doors out of the web gateway's session bucket", async () => {
    const sftp = await clientAs('sftp');
    expect(await publishError(sftp.connection, '$KV.web-sessions.x')).toMatch(
      /permissions.violation/i,
    );
    expect(await publishError(sftp.connection, '$JS.API.STREAM.INFO.KV_web-sessions')).toMatch(
      /permissions.violation/i,
    );
  });
});
