import type { INestMicroservice } from '@nestjs/common';
import { Client } from 'pg';
import { BusClient } from '@tessera/bus';
import {
  authPasswordVerify,
  settingsChanged,
  settingsGet,
  settingsUpdate,
  usersCreate,
  type PayloadOf,
} from '@tessera/contracts';
import {
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  eventually,
  type TestDatabase,
  type TestEnvironment,
} from '@tessera/testing';
import { startUserAuth } from '../src/start';

/** Real user-auth on a real database; restarted with another environment to show who wins. */
let db: TestDatabase;
const started: { service: INestMicroservice; env: TestEnvironment; bus: BusClient }[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const s of [...started]) await stop(s); // a copy: stop() takes each out of the list
  await db?.drop();
});

async function start(env: Record<string, string>, log = capturingLogger('info')) {
  const environment = await createTestEnvironment(db.url, env);
  const service = await startUserAuth(environment.config, log.logger);
  const bus = await BusClient.connect(environment.config, 'settings-test');
  const run = { service, env: environment, bus };
  started.push(run);
  return run;
}

async function stop(run: (typeof started)[number]): Promise<void> {
  started.splice(started.indexOf(run), 1);
  await run.bus.close();
  await run.service.close();
  await run.env.cleanup();
}

async function settingsOf(bus: BusClient) {
  const reply = await bus.request(settingsGet, {});
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value.settings;
}

async function deleteRow(name: string): Promise<void> {
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query('DELETE FROM settings WHERE name = $1', [name]);
  await pg.end();
}

describe('settings in user-auth', () => {
  it('seeds from the environment on first start; after that the table wins', async () => {
    const first = await start({ TESSERA_SFTP_PORT: '3333', TESSERA_SFTP_MAX_USERS: '40' });
    expect(await settingsOf(first.bus)).toMatchObject({
      'sftp.port': 3333,
      'sftp.max-users': 40,
      'lockout.user-failures': 5,
    });
    const update = await first.bus.request(settingsUpdate, { changes: { 'sftp.port': 3334 } });
    expect(update).toMatchObject({ ok: true, value: { changed: ['sftp.port'] } });
    await stop(first);

    await deleteRow('sftp.max-users');
    const second = await start({ TESSERA_SFTP_PORT: '4444', TESSERA_SFTP_MAX_USERS: '7' });
    const settings = await settingsOf(second.bus);
    expect(settings['sftp.port']).toBe(3334); // the table's, not the new environment's
    expect(settings['sftp.max-users']).toBe(7); // no row: seeded again from the environment
    await stop(second);
  });

  it('refuses two doors on one port naming both settings, and stores nothing', async () => {
    const run = await start({});
    const before = await settingsOf(run.bus);
    const refused = await run.bus.request(settingsUpdate, {
      changes: { 'sftp.port': before['https.port'] },
    });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'conflict',
        message: `sftp.port and https.port would both use port ${before['https.port']}; two doors cannot share one port`,
        details: { settings: ['sftp.port', 'https.port'] },
      },
    });
    expect(await settingsOf(run.bus)).toEqual(before);
  });

  it('announces a change on settings.changed with the whole set', async () => {
    const run = await start({});
    const heard: unknown[] = [];
    const sub = run.bus.connection.subscribe(run.bus.prefix + settingsChanged.subject, {
      callback: (_e, msg) => heard.push(JSON.parse(new TextDecoder().decode(msg.data))),
    });
    await run.bus.connection.flush();
    await run.bus.request(settingsUpdate, { changes: { 'ftp.max-users': 12 } });
    const event = await eventually(() => heard[0] as PayloadOf<typeof settingsChanged>);
    sub.unsubscribe();
    expect(event.changed).toEqual(['ftp.max-users']);
    expect(event.settings['ftp.max-users']).toBe(12);
    expect(settingsChanged.payload.safeParse(event).success).toBe(true);
  });

  it('applies a lockout change to logins at once', async () => {
    const run = await start({ TESSERA_LOCKOUT_USER_FAILURES: '4' });
    const created = await run.bus.request(usersCreate, {
      username: 'lena',
      homeFolder: 'lena',
      password: 'lena-password',
    });
    expect(created.ok).toBe(true);
    const login = (password: string) =>
      run.bus.request(authPasswordVerify, {
        username: 'lena',
        password,
        protocol: 'sftp',
        remoteAddress: '192.0.2.40',
      });
    expect(
      (await run.bus.request(settingsUpdate, { changes: { 'lockout.user-failures': 2 } })).ok,
    ).toBe(true);
    await login('wrong-1');
    await login('wrong-2');
    // Locked after two failures: the environment's four no longer holds.
    expect(await login('lena-password')).toMatchObject({ ok: false, error: { code: 'locked' } });
  });

  it('keeps counts for at most lockout.unknown-names names that are no account, both thresholds live', async () => {
    const run = await start({});
    const changed = await run.bus.request(settingsUpdate, {
      changes: { 'lockout.unknown-names': 5, 'lockout.address-failures': 3 },
    });
    expect(changed.ok).toBe(true);
    const login = (username: string, remoteAddress: string) =>
      run.bus.request(authPasswordVerify, {
        username,
        password: 'wrong-password',
        protocol: 'sftp',
        remoteAddress,
      });
    // A flood of random names from ten addresses, three each.
    for (let i = 0; i < 30; i++) await login(`random${i}`, `198.51.100.${i % 10}`);
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const { rows } = await pg.query<{ unknown: number; addresses: number }>(
      `SELECT count(*) FILTER (WHERE NOT known_user)::int AS unknown,
              count(*) FILTER (WHERE username = '')::int AS addresses
         FROM login_throttles WHERE address LIKE '198.51.100.%'`,
    );
    await pg.end();
    expect(rows[0]).toEqual({ unknown: 5, addresses: 10 });
    // Three failures now lock an address: the environment's twenty no longer holds.
    expect(await login('random0', '198.51.100.0')).toMatchObject({
      ok: false,
      error: { code: 'locked', message: expect.stringContaining('address 198.51.100.0') },
    });
  });

  it('drops a malformed settings.changed and keeps its settings', async () => {
    const log = capturingLogger('info');
    const run = await start({}, log);
    const before = await settingsOf(run.bus);
    run.bus.connection.publish(
      run.bus.prefix + settingsChanged.subject,
      new TextEncoder().encode('{"settings":{"sftp.port":"x"}}'),
    );
    run.bus.connection.publish(
      run.bus.prefix + settingsChanged.subject,
      new TextEncoder().encode('not json'),
    );
    await eventually(() =>
      log.records().filter((r) => r.msg === 'a malformed settings.changed was dropped').length === 2
        ? true
        : undefined,
    );
    expect(await settingsOf(run.bus)).toEqual(before);
  });
});
