import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { Client } from 'basic-ftp';
import { usersDelete } from '@tessera/contracts';
import { eventually } from '@tessera/testing';
import { homeOf, startStack, type Stack } from './stack';

/**
 * Account changes and the operator reach open FTP sessions: the real user-auth announcing
 * `users.changed`, the operator's real `tessera`, and basic-ftp left logged in between commands.
 */
let stack: Stack;
const opened: Client[] = [];

jest.setTimeout(60_000);

beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});
afterAll(async () => {
  await stack?.close();
});

/** The operator's real `tessera` executable (compiled, as installed), as a process of its own. */
const bin = path.resolve(__dirname, '../../cli/bin/tessera.js');
function tessera(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...stack.env.env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}

async function user(username: string, privileges?: string[]): Promise<void> {
  await stack.createUser({
    username,
    homeFolder: username,
    password: `${username}-password`,
    ...(privileges ? { privileges: privileges as never } : {}),
  });
  await mkdir(homeOf(stack, username), { recursive: true });
}

/** basic-ftp logged in over explicit FTPS (or plain FTP), left open. */
async function connect(username: string, secure = true): Promise<Client> {
  const client = new Client(20_000);
  opened.push(client);
  await client.access({
    host: '127.0.0.1',
    port: stack.port,
    user: username,
    password: `${username}-password`,
    secure,
    secureOptions: { ca: await readFile(stack.ca.rootFile), servername: 'localhost' },
  });
  return client;
}

/** The door's "session ended" lines for a user, with their reasons. */
const endings = (username: string) =>
  stack.log
    .records()
    .filter((r) => r.msg === 'session ended' && r.username === username)
    .map((r) => r.reason);

/** The door ended the user's session(s), and the client's next command fails. */
async function ended(username: string, client: Client, count = 1): Promise<void> {
  await eventually(() => (endings(username).length >= count ? true : undefined));
  await expect(client.pwd()).rejects.toThrow();
}

/** An upload left open mid-file: 1000 bytes sent, the rest never comes. */
async function openUpload(client: Client, remote: string) {
  const source = new PassThrough();
  const done = client.uploadFrom(source, remote).then(
    () => 'finished',
    (err: Error) => err.message,
  );
  source.write(Buffer.alloc(1000, 7));
  return { source, done };
}

describe('a changed account reaches its open FTP sessions', () => {
  it('ends the open session of a user the operator disables', async () => {
    await user('dora');
    const c = await connect('dora');
    await c.uploadFrom(Readable.from([Buffer.from('figures')]), 'report.txt');

    expect((await tessera(['users', 'disable', 'dora'])).stdout).toBe('dora is disabled\n');
    await ended('dora', c);
    expect(endings('dora')).toEqual(['the account was disabled']);
  });

  it('ends the open session of a deleted user', async () => {
    await user('dan');
    const c = await connect('dan');
    const reply = await stack.bus.request(usersDelete, { username: 'dan' });
    expect(reply.ok).toBe(true);
    await ended('dan', c);
    expect(endings('dan')).toEqual(['the account was deleted']);
  });

  it('cuts an upload running when the account is disabled; nothing lands', async () => {
    await user('una');
    const c = await connect('una');
    const upload = await openUpload(c, 'big.iso');
    await eventually(async () =>
      (await tessera(['sessions', 'list'])).stdout.includes('(1000 bytes)') ? true : undefined,
    );
    expect((await tessera(['users', 'disable', 'una'])).code).toBe(0);
    expect(await upload.done).not.toBe('finished');
    await eventually(async () => ((await readdir(homeOf(stack, 'una'))).length ? undefined : true));
  });

  it('refuses the next upload once upload is taken away, and the session goes on', async () => {
    await user('pat');
    const c = await connect('pat');
    await c.uploadFrom(Readable.from([Buffer.from('first')]), 'first.txt');

    const cut = await tessera(['users', 'update', 'pat', '--privileges', 'list,download']);
    expect(cut.code).toBe(0);
    await eventually(() =>
      stack.log
        .records()
        .some((r) => r.msg === 'open sessions follow the changed account' && r.username === 'pat')
        ? true
        : undefined,
    );
    await expect(
      c.uploadFrom(Readable.from([Buffer.from('second')]), 'second.txt'),
    ).rejects.toMatchObject({ code: 550 });
    expect((await c.list()).map((f) => f.name)).toEqual(['first.txt']);
    expect(await c.pwd()).toBe('/');
    expect(await readdir(homeOf(stack, 'pat'))).toEqual(['first.txt']);
  });
});

describe('tessera sessions and the FTP door', () => {
  it('lists FTPS and plain FTP sessions, and the file moving with its bytes so far', async () => {
    await user('lee');
    const secure = await connect('lee');
    const upload = await openUpload(secure, 'big.iso');
    const line =
      /^ftp-ftps-\d+ +lee +ftps +127\.0\.0\.1 +\S+ +password +up \/big\.iso \(1000 bytes\)$/m;
    await eventually(async () =>
      (await tessera(['sessions', 'list'])).stdout.match(line) ? true : undefined,
    );
    upload.source.end();
    expect(await upload.done).toBe('finished');

    await stack.setSettings({ 'ftp.plain': true });
    try {
      await connect('lee', false);
      const json = JSON.parse((await tessera(['--json', 'sessions', 'list'])).stdout) as unknown[];
      const door = expect.objectContaining({ service: 'ftp-ftps' });
      const session = { username: 'lee', remoteAddress: '127.0.0.1', door, transfers: [] };
      expect(json).toContainEqual(expect.objectContaining({ ...session, protocol: 'ftps' }));
      expect(json).toContainEqual(expect.objectContaining({ ...session, protocol: 'ftp' }));
    } finally {
      await stack.setSettings({ 'ftp.plain': false });
    }
  });

  it("ends a user's sessions on the operator's word, and they may log in again", async () => {
    await user('max');
    const first = await connect('max');
    const second = await connect('max');
    const done = await tessera(['sessions', 'end', 'max']);
    expect(done).toMatchObject({ code: 0, stdout: 'ended 2 sessions of max\n' });
    await ended('max', first, 2);
    await expect(second.pwd()).rejects.toThrow();
    expect(endings('max')).toEqual([
      expect.stringMatching(/^ended by the operator/),
      expect.stringMatching(/^ended by the operator/),
    ]);
    const again = await connect('max');
    expect(await again.pwd()).toBe('/');
  });
});
