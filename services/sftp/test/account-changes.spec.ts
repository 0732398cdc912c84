import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { usersChanged, usersDelete, usersKeysAdd, usersUpdate } from '@tessera/contracts';
import { eventually, makeKey, type TestKey } from '@tessera/testing';
import SftpClient from 'ssh2-sftp-client';
import { openSftp, type OpenSftp } from './openssh';
import { connectAs, homeOf, startStack, type Stack } from './stack';

/**
 * Account changes reach open sessions: the operator's real `tessera` (or a request on the bus, as
 * the admin console will send), the real user-auth announcing `users.changed`, and OpenSSH's
 * `sftp` left open between commands, as a user at the prompt.
 */
let stack: Stack;
let work: string;
const open: OpenSftp[] = [];

// Real sftp, ssh-keygen and tessera processes per case: seconds on a loaded machine.
jest.setTimeout(60_000);

beforeAll(async () => {
  stack = await startStack();
  work = await mkdtemp(path.join(os.tmpdir(), 'sftp-account-changes-'));
  await writeFile(path.join(work, 'report.txt'), 'quarterly figures');
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
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

async function user(username: string): Promise<void> {
  await stack.createUser({ username, homeFolder: username, password: `${username}-password` });
  await mkdir(homeOf(stack, username), { recursive: true });
}

async function withPassword(username: string): Promise<OpenSftp> {
  const session = await openSftp(
    { port: stack.port, username, password: `${username}-password` },
    work,
  );
  open.push(session);
  return session;
}

async function withKey(username: string, key: TestKey): Promise<OpenSftp> {
  const session = await openSftp({ port: stack.port, username, identity: key.privateFile }, work);
  open.push(session);
  return session;
}

/** The door's "session ended" lines for a user, with their reasons. */
const endings = (username: string) =>
  stack.log
    .records()
    .filter((r) => r.msg === 'session ended' && r.username === username)
    .map((r) => r.reason);

/**
 * The server put sftp out within a few seconds: it says "Connection closed." at once (it exits
 * at its next command, as it sits reading the prompt), and that next command never runs.
 */
async function ended(session: OpenSftp): Promise<void> {
  await eventually(() => (session.stderr().includes('Connection closed') ? true : undefined));
  session.send('ls');
  expect(await session.exited).not.toBe(0);
}

async function request<C extends Parameters<Stack['bus']['request']>[0]>(
  contract: C,
  payload: Parameters<Stack['bus']['request']>[1],
) {
  const reply = await stack.bus.request(contract, payload as never);
  if (!reply.ok) throw new Error(reply.error.message);
}

describe('a changed account reaches its open sessions', () => {
  it('ends the open session of a user the operator disables', async () => {
    await user('dora');
    const session = await withPassword('dora');
    expect(await session.run('put report.txt')).not.toMatch(/denied|error/i);

    expect((await tessera(['users', 'disable', 'dora'])).stdout).toBe('dora is disabled\n');
    await ended(session);
    expect(endings('dora')).toEqual(['the account was disabled']);
  });

  it('ends the open session of a deleted user', async () => {
    await user('dan');
    const session = await withPassword('dan');
    await request(usersDelete, { username: 'dan' });
    await ended(session);
    expect(endings('dan')).toEqual(['the account was deleted']);
  });

  it('ends the session that logged in with a removed key, and leaves the password one', async () => {
    await user('kim');
    const key = makeKey(work, 'kim-key', 'ed25519');
    await request(usersKeysAdd, { username: 'kim', line: key.line });
    const byKey = await withKey('kim', key);
    const byPassword = await withPassword('kim');

    const removed = await tessera(['keys', 'remove', 'kim', key.fingerprint]);
    expect(removed.code).toBe(0);
    await ended(byKey);
    expect(endings('kim')).toEqual(['the key it logged in with was removed']);
    expect(await byPassword.run('pwd')).toContain('Remote working directory: /');
    expect(byPassword.open).toBe(true);
  });

  it('refuses the next upload of an open session once upload is taken away', async () => {
    await user('pat');
    const session = await withPassword('pat');
    expect(await session.run('put report.txt first.txt')).not.toMatch(/denied/i);

    const cut = await tessera(['users', 'update', 'pat', '--privileges', 'list,download']);
    expect(cut.code).toBe(0);
    // The announcement travels on its own: the door says when its sessions have the change.
    await eventually(() =>
      stack.log
        .records()
        .some((r) => r.msg === 'open sessions follow the changed account' && r.username === 'pat')
        ? true
        : undefined,
    );
    expect(await session.run('put report.txt second.txt')).toMatch(
      /dest open "\/second\.txt": Permission denied/,
    );
    expect(await session.run('get first.txt fetched.txt')).not.toMatch(/denied/i);
    expect(await readFile(path.join(work, 'fetched.txt'), 'utf8')).toBe('quarterly figures');
    await expect(stat(homeOf(stack, 'pat', 'second.txt'))).rejects.toThrow(/ENOENT/);
    expect(session.open).toBe(true);
  });

  it('drops a malformed users.changed and keeps following the good ones', async () => {
    await user('mo');
    const session = await withPassword('mo');
    const subject = stack.bus.prefix + usersChanged.subject;
    const nc = stack.bus.connection;
    nc.publish(subject, new TextEncoder().encode('not json'));
    nc.publish(subject, new TextEncoder().encode(JSON.stringify({ username: 'mo' })));
    nc.publish(
      subject,
      new TextEncoder().encode(
        JSON.stringify({ username: 'mo', changes: ['exploded'], at: new Date().toISOString() }),
      ),
    );
    await nc.flush();
    await eventually(() =>
      stack.log.records().filter((r) => r.msg === 'a malformed users.changed was dropped').length >=
      3
        ? true
        : undefined,
    );
    expect(await session.run('pwd')).toContain('Remote working directory: /');

    await request(usersUpdate, { username: 'mo', enabled: false });
    await ended(session);
  });
});

describe('tessera sessions', () => {
  it('lists a live session: who, over what, from where, how they logged in', async () => {
    await user('lee');
    const session = await withPassword('lee');
    const listed = await tessera(['sessions', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^SESSION +USER +PROTOCOL +FROM +SINCE +LOGIN +MOVING$/m);
    expect(listed.stdout).toMatch(/^sftp-\d+ +lee +sftp +127\.0\.0\.1 +\S+ +password +-$/m);

    const json = JSON.parse((await tessera(['--json', 'sessions', 'list'])).stdout) as unknown[];
    expect(json).toContainEqual(
      expect.objectContaining({
        username: 'lee',
        protocol: 'sftp',
        remoteAddress: '127.0.0.1',
        login: { method: 'password' },
        door: expect.objectContaining({ service: 'sftp' }),
      }),
    );
    expect(session.open).toBe(true);
  });

  it('shows what is moving: an upload left open, with its bytes so far', async () => {
    await user('uma');
    const clients: SftpClient[] = [];
    const client = await connectAs(stack, 'uma', clients);
    const sftp = client.sftp;
    const handle = await new Promise<Buffer>((resolve, reject) =>
      sftp.open('/big.iso', 'w', (err, h) => (err ? reject(err) : resolve(h))),
    );
    await new Promise<void>((resolve, reject) =>
      sftp.write(handle, Buffer.alloc(1000, 1), 0, 1000, 0, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    const listed = await tessera(['sessions', 'list']);
    expect(listed.stdout).toMatch(
      /^sftp-\d+ +uma +sftp .* password +up \/big\.iso \(1000 bytes\)$/m,
    );
    await client.end();
  });

  it("ends a user's sessions on the operator's word, and they may log in again", async () => {
    await user('max');
    const first = await withPassword('max');
    const second = await withPassword('max');
    const done = await tessera(['sessions', 'end', 'max']);
    expect(done).toMatchObject({ code: 0, stdout: 'ended 2 sessions of max\n' });
    await ended(first);
    await ended(second);
    expect(endings('max')).toEqual([
      expect.stringMatching(/^ended by the operator \(.+@.+\)$/),
      expect.stringMatching(/^ended by the operator/),
    ]);
    expect((await tessera(['sessions', 'end', 'max'])).stdout).toBe('max has no open session\n');
    const again = await withPassword('max');
    expect(again.open).toBe(true);
  });

  it('refuses a user name that cannot be one', async () => {
    const refused = await tessera(['sessions', 'end', '../etc']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/USERNAME: a username is 1-64 characters/);
  });
});
