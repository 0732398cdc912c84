import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { BusClient, followAnnouncement } from '@tessera/bus';
import {
  authSessionCheck,
  folderSetsAssign,
  folderSetsCreate,
  folderSetsDelete,
  folderSetsUpdate,
  usersChanged,
  usersCreate,
  usersDelete,
  usersKeysAdd,
  usersKeysRemove,
  usersPasswordSet,
  usersUpdate,
  type AnyRequestContract,
  type RequestOf,
  type UsersChangedEvent,
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

/**
 * user-auth announces `users.changed` after every stored account change, whoever made it, so the
 * doors' open sessions can follow; and answers the doors' `auth.session.check`.
 */
let db: TestDatabase;
let env: TestEnvironment;
let service: INestMicroservice;
let bus: BusClient;
const heard: UsersChangedEvent[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url);
  service = await startUserAuth(env.config, capturingLogger('warn').logger);
  bus = await BusClient.connect(env.config, 'account-changes-test');
  followAnnouncement(bus, usersChanged, capturingLogger().logger, {
    onEvent: (e) => heard.push(e),
  });
  await bus.connection.flush();
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await service?.close();
  await env?.cleanup();
  await db?.drop();
});

async function ask<C extends AnyRequestContract>(contract: C, payload: RequestOf<C>) {
  const reply = await bus.request(contract, payload);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value;
}

/** The announcements about `username` heard from now on, once `count` have come. */
async function announced(username: string, count: number, act: () => Promise<unknown>) {
  const from = heard.length;
  await act();
  return eventually(() => {
    const mine = heard.slice(from).filter((e) => e.username === username);
    return mine.length >= count
      ? mine.map(({ changes, removedKeys }) => ({ changes, removedKeys }))
      : undefined;
  });
}

const newUser = (username: string) => ask(usersCreate, { username, homeFolder: username });

it('announces what an update, a new password and a delete change', async () => {
  await newUser('ana');
  expect(
    await announced('ana', 1, () =>
      ask(usersUpdate, { username: 'ana', enabled: false, privileges: ['list'] }),
    ),
  ).toEqual([{ changes: ['disabled', 'privileges'], removedKeys: undefined }]);
  expect(
    await announced('ana', 1, () =>
      ask(usersPasswordSet, { username: 'ana', password: 'a new password' }),
    ),
  ).toEqual([{ changes: ['password'], removedKeys: undefined }]);
  expect(await announced('ana', 1, () => ask(usersDelete, { username: 'ana' }))).toEqual([
    { changes: ['deleted'], removedKeys: undefined },
  ]);
});

it('announces a removed key with its fingerprint, from the CLI or the keys folder', async () => {
  await newUser('kai');
  const dir = env.config.paths.sshKeys;
  await mkdir(dir, { recursive: true });
  const added = makeKey(env.dataDir, 'kai-added', 'ed25519');
  const filed = makeKey(env.dataDir, 'kai-filed', 'ed25519');
  await ask(usersKeysAdd, { username: 'kai', line: added.line });
  expect(
    await announced('kai', 1, () =>
      ask(usersKeysRemove, { username: 'kai', fingerprint: added.fingerprint }),
    ),
  ).toEqual([{ changes: ['key-removed'], removedKeys: [added.fingerprint] }]);

  await writeFile(path.join(dir, 'kai.pub'), filed.line + '\n');
  await eventually(async () =>
    (await ask(authSessionCheck, { username: 'kai', keys: [filed.fingerprint] })).keys.length
      ? true
      : undefined,
  );
  expect(
    await announced('kai', 1, () => writeFile(path.join(dir, 'kai.pub'), '# no keys\n')),
  ).toEqual([{ changes: ['key-removed'], removedKeys: [filed.fingerprint] }]);
});

it("announces a folder set's change to each user who has it", async () => {
  await ask(folderSetsCreate, { name: 'partners', rules: [{ path: '/', privileges: ['list'] }] });
  await newUser('pia');
  await newUser('per');
  await announced('pia', 1, () =>
    ask(folderSetsAssign, { username: 'pia', folderSet: 'partners' }),
  );
  await ask(folderSetsAssign, { username: 'per', folderSet: 'partners' });
  const from = heard.length;
  await ask(folderSetsUpdate, {
    name: 'partners',
    rules: [{ path: '/', privileges: ['list', 'download'] }],
  });
  await eventually(() => (heard.length - from >= 2 ? true : undefined));
  expect(heard.slice(from).map((e) => [e.username, e.changes])).toEqual([
    ['per', ['folder-set']],
    ['pia', ['folder-set']],
  ]);
  expect(await announced('per', 1, () => ask(folderSetsDelete, { name: 'partners' }))).toEqual([
    { changes: ['folder-set'], removedKeys: undefined },
  ]);
});

it('tells a door whether its sessions of a user still stand', async () => {
  await newUser('sue');
  const key = makeKey(env.dataDir, 'sue-key', 'ed25519');
  await ask(usersKeysAdd, { username: 'sue', line: key.line });
  const checked = await ask(authSessionCheck, {
    username: 'sue',
    keys: [key.fingerprint, 'SHA256:not-hers'],
  });
  expect(checked).toMatchObject({
    user: { username: 'sue', enabled: true },
    keys: [key.fingerprint],
  });
  await ask(usersDelete, { username: 'sue' });
  expect(await ask(authSessionCheck, { username: 'sue', keys: [key.fingerprint] })).toEqual({
    user: null,
    keys: [],
  });
});
