import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { JSONCodec } from 'nats';
import { BusClient } from '@tessera/bus';
import {
  authPasswordVerify,
  healthPing,
  authPublicKeyVerify,
  folderSetsAssign,
  folderSetsCreate,
  folderSetsList,
  usersCreate,
  usersDelete,
  usersGet,
  usersKeysAdd,
  usersKeysList,
  usersKeysRemove,
  usersList,
  usersPasswordSet,
  usersPrivilegesEffective,
  usersUnlock,
  usersUpdate,
} from '@tessera/contracts';
import {
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  eventually,
  makeKey,
  type TestDatabase,
  type TestEnvironment,
} from '@tessera/testing';
import { startUserAuth } from '../src/start';

let db: TestDatabase;
let env: TestEnvironment;
let service: INestMicroservice;
let bus: BusClient;
let keysDir: string;
const log = capturingLogger('info');

beforeAll(async () => {
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url);
  service = await startUserAuth(env.config, log.logger);
  bus = await BusClient.connect(env.config, 'user-auth-test');
  keysDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-keys-'));
});

afterAll(async () => {
  await bus?.close();
  await service?.close();
  await db?.drop();
  await env?.cleanup();
  await rm(keysDir, { recursive: true, force: true });
});

const login = (username: string, password: string, remoteAddress = '192.0.2.10') =>
  bus.request(authPasswordVerify, { username, password, protocol: 'sftp', remoteAddress });

describe('users', () => {
  it('creates a user with a generated password that then logs in', async () => {
    const created = await bus.request(usersCreate, {
      username: 'alice',
      homeFolder: 'alice',
      generatePassword: true,
    });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value.generatedPassword).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(created.value.user).toMatchObject({
      username: 'alice',
      homeFolder: 'alice',
      enabled: true,
      hasPassword: true,
    });
    expect(created.value.user.privileges).toContain('upload');

    const verified = await login('alice', created.value.generatedPassword!);
    expect(verified).toMatchObject({
      ok: true,
      value: { user: { username: 'alice', homeFolder: 'alice' } },
    });
    if (verified.ok) expect(verified.value.user.lastLoginAt).not.toBeNull();
  });

  it('refuses a second user with the same name', async () => {
    const again = await bus.request(usersCreate, { username: 'alice', homeFolder: 'elsewhere' });
    expect(again).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('updates, lists, disables and deletes', async () => {
    await bus.request(usersCreate, {
      username: 'carol',
      homeFolder: 'c/carol',
      password: 'carol-password',
    });
    const updated = await bus.request(usersUpdate, {
      username: 'carol',
      privileges: ['download', 'list'],
    });
    expect(updated).toMatchObject({
      ok: true,
      value: { user: { privileges: ['list', 'download'] } },
    });

    const listed = await bus.request(usersList, {});
    expect(listed.ok && listed.value.users.map((u) => u.username)).toEqual(
      expect.arrayContaining(['alice', 'carol']),
    );

    await bus.request(usersUpdate, { username: 'carol', enabled: false });
    expect(await login('carol', 'carol-password')).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });

    expect(await bus.request(usersDelete, { username: 'carol' })).toEqual({
      ok: true,
      value: { deleted: true },
    });
    expect(await bus.request(usersGet, { username: 'carol' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });

  it('keeps a quota in the profile the doors get: set, changed and removed', async () => {
    const created = await bus.request(usersCreate, {
      username: 'quota-user',
      homeFolder: 'quota-user',
      password: 'quota-password',
      quotaBytes: 10 * 1024 ** 3,
    });
    expect(created).toMatchObject({ ok: true, value: { user: { quotaBytes: 10 * 1024 ** 3 } } });
    expect(await login('quota-user', 'quota-password')).toMatchObject({
      ok: true,
      value: { user: { quotaBytes: 10 * 1024 ** 3 } },
    });
    const changed = await bus.request(usersUpdate, { username: 'quota-user', quotaBytes: 2 ** 50 });
    expect(changed).toMatchObject({ ok: true, value: { user: { quotaBytes: 2 ** 50 } } });
    const removed = await bus.request(usersUpdate, { username: 'quota-user', quotaBytes: null });
    expect(removed).toMatchObject({ ok: true, value: { user: { quotaBytes: null } } });
    expect(await bus.request(usersUpdate, { username: 'quota-user', quotaBytes: 0 })).toMatchObject(
      { ok: false, error: { code: 'invalid_request' } },
    );
  });

  it('sets a password and refuses passwords on key-only accounts', async () => {
    await bus.request(usersCreate, {
      username: 'keyonly',
      homeFolder: 'keyonly',
      passwordLoginDisabled: true,
    });
    const set = await bus.request(usersPasswordSet, { username: 'keyonly', generate: true });
    expect(set.ok && set.value.generatedPassword).toBeTruthy();
    const generated = set.ok ? set.value.generatedPassword! : '';
    expect(await login('keyonly', generated)).toMatchObject({
      ok: false,
      error: { code: 'unauthorized' },
    });

    await bus.request(usersUpdate, { username: 'keyonly', passwordLoginDisabled: false });
    expect(await login('keyonly', generated)).toMatchObject({ ok: true });
  });
});

describe('password checks', () => {
  beforeAll(() =>
    bus.request(usersCreate, { username: 'dave', homeFolder: 'dave', password: 'dave-password' }),
  );

  it('says only "wrong username or password", for a bad password and for an unknown user alike', async () => {
    const bad = await login('dave', 'nope-nope', '192.0.2.20');
    const unknown = await login('nobody', 'nope-nope', '192.0.2.20');
    expect(bad).toEqual({
      ok: false,
      error: { code: 'unauthorized', message: 'wrong username or password' },
    });
    expect(unknown).toEqual(bad);
  });

  it('locks a user from one address after five failures, with the reason and the time left, even for the right password', async () => {
    for (let i = 0; i < 5; i++) await login('dave', 'wrong-password', '192.0.2.21');
    const locked = await login('dave', 'dave-password', '192.0.2.21');
    expect(locked).toMatchObject({ ok: false, error: { code: 'locked' } });
    if (!locked.ok) {
      expect(locked.error.message).toMatch(
        /too many failed logins for user dave from 192\.0\.2\.21: passwords locked for 15 more minute/,
      );
      expect(locked.error.details?.retryAfterSeconds).toBeGreaterThan(800);
    }
  });

  it('does not lock the victim out: dave logs in from another address while the attacker is locked', async () => {
    expect(await login('dave', 'dave-password', '192.0.2.22')).toMatchObject({
      ok: true,
      value: { user: { username: 'dave' } },
    });
    expect(await login('dave', 'dave-password', '192.0.2.21')).toMatchObject({
      error: { code: 'locked' },
    });
  });

  it('logs dave in with his key from the very address whose password guesses locked him', async () => {
    const key = makeKey(keysDir, 'dave_ed25519', 'ed25519');
    await bus.request(usersKeysAdd, { username: 'dave', line: key.line });
    const withKey = (remoteAddress: string) =>
      bus.request(authPublicKeyVerify, {
        username: 'dave',
        keyType: 'ssh-ed25519',
        keyData: key.keyData,
        signed: true,
        protocol: 'sftp',
        remoteAddress,
      });
    expect(await withKey('192.0.2.21')).toMatchObject({
      ok: true,
      value: { user: { username: 'dave' } },
    });
  });

  it('locks an address after twenty failures over several names, for every name, and locks no account', async () => {
    for (const name of ['erik', 'faye', 'gus', 'hana']) {
      await bus.request(usersCreate, {
        username: name,
        homeFolder: name,
        password: `${name}-password`,
      });
      for (let i = 0; i < 5; i++) await login(name, 'wrong-password', '198.51.100.7');
    }
    const fromThere = await login('alice', 'anything-1', '198.51.100.7');
    expect(fromThere).toMatchObject({
      ok: false,
      error: { code: 'locked', message: expect.stringContaining('address 198.51.100.7') },
    });
    // The names the attacker tried still log in from anywhere else.
    for (const name of ['erik', 'faye', 'gus', 'hana']) {
      expect(await login(name, `${name}-password`, '198.51.100.8')).toMatchObject({ ok: true });
    }
  });

  it('locks an unknown name from an address as it locks a known one, so a lock says nothing of which names exist', async () => {
    for (let i = 0; i < 5; i++) await login('nobody-here', 'wrong-password', '192.0.2.30');
    expect(await login('nobody-here', 'wrong-password', '192.0.2.30')).toMatchObject({
      error: {
        code: 'locked',
        message: expect.stringContaining('user nobody-here from 192.0.2.30'),
      },
    });
  });
});

describe('lockouts an operator can see and lift', () => {
  beforeAll(() =>
    bus.request(usersCreate, { username: 'ivy', homeFolder: 'ivy', password: 'ivy-password' }),
  );

  it('shows the locks on users.get, lifts them on users.unlock with an audit line, and the user logs in', async () => {
    expect(await bus.request(usersGet, { username: 'ivy' })).toMatchObject({
      ok: true,
      value: { locks: [] },
    });
    for (const address of ['192.0.2.40', '192.0.2.41']) {
      for (let i = 0; i < 5; i++) await login('ivy', 'wrong-password', address);
    }
    expect(await login('ivy', 'ivy-password', '192.0.2.40')).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
    const shown = await bus.request(usersGet, { username: 'ivy' });
    const locks = shown.ok ? shown.value.locks : [];
    expect(locks.map((l) => [l.username, l.address]).sort()).toEqual([
      ['ivy', '192.0.2.40'],
      ['ivy', '192.0.2.41'],
    ]);
    expect(Date.parse(locks[0]!.until)).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect(log.records()).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'too many failed logins: locked',
        locked: 'user ivy from 192.0.2.40',
      }),
    );

    const one = await bus.request(usersUnlock, {
      username: 'ivy',
      address: '192.0.2.41',
      requestedBy: 'ops@test',
    });
    expect(one).toMatchObject({
      ok: true,
      value: { lifted: [{ username: 'ivy', address: '192.0.2.41' }] },
    });
    const unlocked = await bus.request(usersUnlock, { username: 'ivy', requestedBy: 'ops@test' });
    expect(unlocked).toMatchObject({
      ok: true,
      value: { lifted: [{ username: 'ivy', address: '192.0.2.40', until: expect.any(String) }] },
    });
    expect(log.records()).toContainEqual(
      expect.objectContaining({
        level: 30,
        msg: 'login lock lifted by an operator',
        username: 'ivy',
        requestedBy: 'ops@test',
      }),
    );
    expect(await login('ivy', 'ivy-password', '192.0.2.40')).toMatchObject({ ok: true });
    expect(await bus.request(usersGet, { username: 'ivy' })).toMatchObject({
      ok: true,
      value: { locks: [] },
    });
  });

  it('lifts an address lock typed as 203.0.113.9 that the door reported as ::ffff:203.0.113.9', async () => {
    for (let i = 0; i < 20; i++) await login(`probe${i}`, 'whatever-1', '::ffff:203.0.113.9');
    expect(await login('ivy', 'ivy-password', '::ffff:203.0.113.9')).toMatchObject({
      ok: false,
      error: { code: 'locked', message: expect.stringContaining('address ::ffff:203.0.113.9') },
    });
    expect(await bus.request(usersUnlock, { address: '203.0.113.9' })).toMatchObject({
      ok: true,
      value: { lifted: [{ username: null, address: '::ffff:203.0.113.9' }] },
    });
    expect(await login('ivy', 'ivy-password', '::ffff:203.0.113.9')).toMatchObject({ ok: true });
  });

  it('says there was no lock, and refuses an unknown user', async () => {
    expect(await bus.request(usersUnlock, { username: 'ivy' })).toEqual({
      ok: true,
      value: { lifted: [] },
    });
    expect(log.records()).toContainEqual(
      expect.objectContaining({
        msg: 'failed-login count reset by an operator',
        username: 'ivy',
        requestedBy: 'not given',
      }),
    );
    expect(await bus.request(usersUnlock, { username: 'nobody' })).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'no user named nobody' },
    });
  });

  it('refuses to start with a bad lockout setting, naming the variable', async () => {
    const main = path.resolve(__dirname, '../src/main.ts');
    const started = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        ['-r', 'ts-node/register', main],
        { env: { ...process.env, ...env.env, TESSERA_LOCKOUT_USER_FAILURES: '0' } },
        (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
      ),
    );
    expect(started).toEqual({
      code: 1,
      stderr:
        'user-auth could not start: Invalid configuration:\n  TESSERA_LOCKOUT_USER_FAILURES: expected at least 1 failed login\n',
    });
  });
});

describe('public keys', () => {
  it('adds an ed25519 key with the fingerprint ssh-keygen prints, and logs in with it', async () => {
    const key = makeKey(keysDir, 'alice_ed25519', 'ed25519');
    const added = await bus.request(usersKeysAdd, { username: 'alice', line: key.line });
    expect(added).toMatchObject({
      ok: true,
      value: {
        key: {
          type: 'ssh-ed25519',
          fingerprint: key.fingerprint,
          comment: 'alice_ed25519@test',
          source: 'cli',
        },
      },
    });

    const verified = await bus.request(authPublicKeyVerify, {
      username: 'alice',
      keyType: 'ssh-ed25519',
      keyData: key.keyData,
      signed: true,
      protocol: 'sftp',
    });
    expect(verified).toMatchObject({
      ok: true,
      value: { fingerprint: key.fingerprint, user: { username: 'alice' } },
    });
  });

  it('answers an unsigned key query without stamping the last login', async () => {
    const key = makeKey(keysDir, 'alice_query', 'ed25519');
    await bus.request(usersKeysAdd, { username: 'alice', line: key.line });
    const lastLogin = async () => {
      const got = await bus.request(usersGet, { username: 'alice' });
      return got.ok ? got.value.user.lastLoginAt : 'unknown';
    };
    const before = await lastLogin();
    const ask = (signed: boolean) =>
      bus.request(authPublicKeyVerify, {
        username: 'alice',
        keyType: 'ssh-ed25519',
        keyData: key.keyData,
        signed,
        protocol: 'sftp',
      });
    expect(await ask(false)).toMatchObject({ ok: true, value: { user: { username: 'alice' } } });
    expect(await lastLogin()).toBe(before);
    await ask(true);
    expect(await lastLogin()).not.toBe(before);
    await bus.request(usersKeysRemove, { username: 'alice', fingerprint: key.fingerprint });
  });

  it('accepts ecdsa and rsa-3072 keys and lists them', async () => {
    for (const [name, type, bits] of [
      ['alice_ecdsa', 'ecdsa', 256],
      ['alice_rsa', 'rsa', 3072],
    ] as const) {
      const key = makeKey(keysDir, name, type, bits);
      expect(await bus.request(usersKeysAdd, { username: 'alice', line: key.line })).toMatchObject({
        ok: true,
      });
    }
    const listed = await bus.request(usersKeysList, { username: 'alice' });
    expect(listed.ok && listed.value.keys.map((k) => k.type).sort()).toEqual([
      'ecdsa-sha2-nistp256',
      'ssh-ed25519',
      'ssh-rsa',
    ]);
  });

  it('refuses DSA keys saying why, short RSA keys, private keys and garbage', async () => {
    const dsa = await bus.request(usersKeysAdd, {
      username: 'alice',
      line: makeKey(keysDir, 'old_dsa', 'dsa').line,
    });
    expect(dsa).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringMatching(/DSA keys \(ssh-dss\) are refused: .*SHA-1/),
      },
    });

    const shortRsa = await bus.request(usersKeysAdd, {
      username: 'alice',
      line: makeKey(keysDir, 'short_rsa', 'rsa', 1024).line,
    });
    expect(shortRsa).toMatchObject({
      ok: false,
      error: { message: 'this RSA key has 1024 bits; Tessera needs at least 2048' },
    });

    const privateKey = await bus.request(usersKeysAdd, {
      username: 'alice',
      line: '-----BEGIN OPENSSH PRIVATE KEY-----',
    });
    expect(privateKey).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/^this is a private key/) },
    });

    for (const line of [
      'ssh-ed25519 not-base64!!',
      'ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQAB',
      'hello world',
    ]) {
      expect(await bus.request(usersKeysAdd, { username: 'alice', line })).toMatchObject({
        ok: false,
        error: { code: 'invalid_request' },
      });
    }
  });

  it("refuses a key that is not the user's, and the same key twice, naming its owner", async () => {
    const other = makeKey(keysDir, 'stranger', 'ed25519');
    const denied = await bus.request(authPublicKeyVerify, {
      username: 'alice',
      keyType: 'ssh-ed25519',
      keyData: other.keyData,
      signed: true,
      protocol: 'sftp',
    });
    expect(denied).toMatchObject({ ok: false, error: { code: 'unauthorized' } });

    const key = makeKey(keysDir, 'twice', 'ed25519');
    await bus.request(usersKeysAdd, { username: 'alice', line: key.line });
    expect(await bus.request(usersKeysAdd, { username: 'dave', line: key.line })).toMatchObject({
      ok: false,
      error: {
        code: 'conflict',
        message: `this key (${key.fingerprint}) already belongs to alice; a key logs in one user only`,
        details: { owner: 'alice' },
      },
    });
    expect(await bus.request(usersKeysAdd, { username: 'alice', line: key.line })).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: `alice already has this key (${key.fingerprint})` },
    });
    expect(
      await bus.request(usersKeysRemove, { username: 'alice', fingerprint: key.fingerprint }),
    ).toMatchObject({ ok: true });
    expect(
      await bus.request(usersKeysRemove, { username: 'alice', fingerprint: key.fingerprint }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('the Rumpus-style keys folder', () => {
  const keysFolder = () => env.config.paths.sshKeys;

  it('logs a user in at once with a key dropped into <username>.pub, without a restart', async () => {
    await bus.request(usersCreate, {
      username: 'erin',
      homeFolder: 'erin',
      passwordLoginDisabled: true,
    });
    const key = makeKey(keysDir, 'erin_key', 'ed25519');
    await writeFile(path.join(keysFolder(), 'erin.pub'), `# erin's laptop\n${key.line}\n`);
    const verified = await bus.request(authPublicKeyVerify, {
      username: 'erin',
      keyType: 'ssh-ed25519',
      keyData: key.keyData,
      signed: true,
      protocol: 'sftp',
    });
    expect(verified).toMatchObject({ ok: true, value: { user: { username: 'erin' } } });
  });

  it('picks up several keys from one file on its own, and drops a key removed from the file', async () => {
    await bus.request(usersCreate, { username: 'frank', homeFolder: 'frank' });
    const [a, b] = [
      makeKey(keysDir, 'frank_a', 'ed25519'),
      makeKey(keysDir, 'frank_b', 'ecdsa', 384),
    ];
    const file = path.join(keysFolder(), 'frank.pub');
    await writeFile(file, `${a.line}\n${b.line}\n`);
    const fingerprints = async () => {
      const listed = await bus.request(usersKeysList, { username: 'frank' });
      return listed.ok
        ? listed.value.keys
            .filter((k) => k.source === 'keys-folder')
            .map((k) => k.fingerprint)
            .sort()
        : [];
    };
    await eventually(async () => ((await fingerprints()).length === 2 ? true : undefined));
    await writeFile(file, `${b.line}\n`);
    await eventually(async () =>
      (await fingerprints()).join() === b.fingerprint ? true : undefined,
    );
  });

  it('says where each key lives, and refuses to remove a keys-folder key, naming its file', async () => {
    await bus.request(usersCreate, { username: 'jack', homeFolder: 'jack' });
    const [added, fromFolder] = [
      makeKey(keysDir, 'jack_added', 'ed25519'),
      makeKey(keysDir, 'jack_folder', 'ed25519'),
    ];
    await bus.request(usersKeysAdd, { username: 'jack', line: added.line });
    const file = path.join(keysFolder(), 'jack.pub');
    await writeFile(file, `${fromFolder.line}\n`);
    const keys = await eventually(async () => {
      const listed = await bus.request(usersKeysList, { username: 'jack' });
      return listed.ok && listed.value.keys.length === 2 ? listed.value.keys : undefined;
    });
    expect(keys).toEqual([
      expect.objectContaining({ fingerprint: added.fingerprint, source: 'cli', from: 'added' }),
      expect.objectContaining({
        fingerprint: fromFolder.fingerprint,
        source: 'keys-folder',
        from: 'keys folder',
        file,
      }),
    ]);
    expect(keys[0]).not.toHaveProperty('file');

    expect(
      await bus.request(usersKeysRemove, { username: 'jack', fingerprint: fromFolder.fingerprint }),
    ).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: `${fromFolder.fingerprint} comes from the keys folder: remove its line from ${file} (Tessera drops the key within seconds)`,
        details: { file },
      },
    });
    const still = await bus.request(authPublicKeyVerify, {
      username: 'jack',
      keyType: 'ssh-ed25519',
      keyData: fromFolder.keyData,
      signed: true,
      protocol: 'sftp',
    });
    expect(still).toMatchObject({ ok: true });
  });

  it('reports a key file for an unknown user in the log and ignores it', async () => {
    const key = makeKey(keysDir, 'ghost_key', 'ed25519');
    await writeFile(path.join(keysFolder(), 'ghost.pub'), `${key.line}\n`);
    const line = await eventually(async () =>
      log
        .records()
        .find(
          (l) =>
            String(l.file).endsWith('ghost.pub') &&
            l.msg === 'keys folder file for an unknown user; ignored',
        ),
    );
    expect(line.level).toBe(40);
  });
});

describe('folder sets', () => {
  it("resolves the most specific rule for a path, and falls back to the user's privileges", async () => {
    const created = await bus.request(folderSetsCreate, {
      name: 'customers',
      rules: [
        { path: '/', privileges: ['list', 'download'] },
        { path: '/inbox', privileges: ['list', 'upload'] },
        { path: '/inbox/archive', privileges: ['list'] },
      ],
    });
    expect(created).toMatchObject({ ok: true, value: { folderSet: { name: 'customers' } } });
    await bus.request(usersCreate, { username: 'gina', homeFolder: 'gina', privileges: ['list'] });
    expect(
      await bus.request(folderSetsAssign, { username: 'gina', folderSet: 'customers' }),
    ).toMatchObject({
      ok: true,
      value: { user: { folderSet: { name: 'customers' } } },
    });

    const at = async (p: string) => {
      const r = await bus.request(usersPrivilegesEffective, { username: 'gina', path: p });
      return r.ok ? [r.value.rulePath, r.value.privileges] : r.error.message;
    };
    expect(await at('/')).toEqual(['/', ['list', 'download']]);
    expect(await at('/inbox/new.txt')).toEqual(['/inbox', ['list', 'upload']]);
    expect(await at('/inbox/archive/2024')).toEqual(['/inbox/archive', ['list']]);
    expect(await at('/inboxes')).toEqual(['/', ['list', 'download']]);

    await bus.request(folderSetsAssign, { username: 'gina', folderSet: null });
    expect(await at('/inbox')).toEqual([null, ['list']]);
    const listed = await bus.request(folderSetsList, {});
    expect(listed.ok && listed.value.folderSets[0]?.rules).toHaveLength(3);
  });

  it('refuses a set with two rules for one folder and an unknown set', async () => {
    const twice = await bus.request(folderSetsCreate, {
      name: 'x',
      rules: [
        { path: '/a', privileges: [] },
        { path: '/a/', privileges: ['list'] },
      ],
    });
    expect(twice).toMatchObject({
      ok: false,
      error: {
        message: 'the folder /a has two rules; give it one',
        details: { fields: [{ path: ['rules', 1, 'path'] }] },
      },
    });
    expect(
      await bus.request(folderSetsAssign, { username: 'gina', folderSet: 'nope' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('the bus edge', () => {
  const raw = JSONCodec<unknown>();
  const ask = async (subject: string, body: Uint8Array) =>
    raw.decode(
      (
        await bus.connection.request(env.config.TESSERA_BUS_PREFIX + subject, body, {
          timeout: 3000,
        })
      ).data,
    );

  it('answers a plain NATS request on auth.password.verify with the profile (home, privileges)', async () => {
    await bus.request(usersCreate, {
      username: 'hank',
      homeFolder: 'hank',
      password: 'hank-password',
      privileges: ['list', 'download'],
    });
    const reply = await ask(
      'auth.password.verify',
      raw.encode({ username: 'hank', password: 'hank-password', protocol: 'sftp' }),
    );
    expect(reply).toMatchObject({
      ok: true,
      value: { user: { username: 'hank', homeFolder: 'hank', privileges: ['list', 'download'] } },
    });
  });

  it('answers malformed payloads with a validation error and keeps serving', async () => {
    expect(await ask('auth.password.verify', new TextEncoder().encode('{not json'))).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('not JSON') },
    });
    expect(
      await ask('users.create', raw.encode({ username: '../../etc', homeFolder: 42 })),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringMatching(/username: .*homeFolder: /),
      },
    });
    expect(
      await ask('foldersets.create', raw.encode({ name: 'bad name!', rules: [] })),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringContaining('a folder-set name is 1-64 characters'),
        details: { fields: [{ path: ['name'], message: expect.any(String) }] },
      },
    });
    expect(await ask('users.keys.add', raw.encode(null))).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await ask('users.list', new Uint8Array())).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    });
    expect(await bus.request(usersGet, { username: 'hank' })).toMatchObject({ ok: true });
  });
});

describe('health', () => {
  it('answers its health ping with its name, for container healthchecks', async () => {
    const reply = await bus.request(healthPing('user-auth'), {});
    expect(reply).toMatchObject({ ok: true, value: { service: 'user-auth' } });
  });
});

describe('when the database goes away', () => {
  it('answers "unavailable" with a clear message and keeps serving', async () => {
    const cut = await createTestEnvironment('postgresql://postgres@127.0.0.1:1/nowhere');
    const lonely = await startUserAuth(cut.config, log.logger);
    const client = await BusClient.connect(cut.config, 'user-auth-test-cut');
    try {
      const reply = await client.request(usersList, {});
      expect(reply).toEqual({
        ok: false,
        error: {
          code: 'unavailable',
          message: 'the database cannot be reached; try again shortly',
        },
      });
      expect(await client.request(healthPing('user-auth'), {})).toMatchObject({ ok: true });
    } finally {
      await client.close();
      await lonely.close();
      await cut.cleanup();
    }
  });
});
