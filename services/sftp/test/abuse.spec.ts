import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import type { InputAttributes, SFTPWrapper } from 'ssh2';
import { eventually } from '@tessera/testing';
import { sftpBatch } from './openssh';
import { homeOf, startStack, connectAs, type Stack } from './stack';

// Issue 14 item 5: odd but legal flag combinations and hostile writes, sent through ssh2's raw
// SFTP client (the flags are SSH_FXF_* bits, as on the wire).
const READ = 0x01;
const WRITE = 0x02;
const APPEND = 0x04;
const CREAT = 0x08;
const TRUNC = 0x10;
const EXCL = 0x20;

let stack: Stack;
const clients: SftpClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  await user('alice', undefined);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await stack?.close();
});

async function user(
  username: string,
  privileges: Parameters<Stack['createUser']>[0]['privileges'],
): Promise<void> {
  await stack.createUser({
    username,
    homeFolder: username,
    password: `${username}-password`,
    privileges,
  });
  await mkdir(homeOf(stack, username), { recursive: true });
}

/** ssh2's SFTP client with promises, for requests no wrapper library sends. */
async function raw(username = 'alice') {
  const sftp: SFTPWrapper = (await connectAs(stack, username, clients)).sftp;
  const call = <T>(run: (done: (err: Error | null | undefined, value: T) => void) => void) =>
    new Promise<T>((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value))));
  return {
    open: (path: string, flags: number) => call<Buffer>((done) => sftp.open(path, flags, done)),
    write: (handle: Buffer, data: Buffer | string, position: number) => {
      const chunk = Buffer.from(data);
      return call<void>((done) =>
        sftp.write(handle, chunk, 0, chunk.length, position, (err) => done(err, undefined)),
      );
    },
    read: (handle: Buffer, length: number, position: number) =>
      call<Buffer>((done) =>
        sftp.read(handle, Buffer.alloc(length), 0, length, position, (err, n, buffer) =>
          done(err, buffer.subarray(0, n)),
        ),
      ),
    close: (handle: Buffer) =>
      call<void>((done) => sftp.close(handle, (err) => done(err, undefined))),
    fsetstat: (handle: Buffer, attrs: InputAttributes) =>
      call<void>((done) => sftp.fsetstat(handle, attrs, (err) => done(err, undefined))),
    setstat: (path: string, attrs: InputAttributes) =>
      call<void>((done) => sftp.setstat(path, attrs, (err) => done(err, undefined))),
  };
}

const inHome = (username: string, ...parts: string[]) => homeOf(stack, username, ...parts);
const content = (username: string, name: string) => readFile(inHome(username, name), 'utf8');
const leftovers = async (username: string) =>
  (await readdir(inHome(username))).filter((n) => n.startsWith('.tessera-upload-'));

describe('one write cannot occupy the door', () => {
  it('refuses a write past the size limit per file at once, and lands nothing sparse', async () => {
    const sftp = await raw();
    const handle = await sftp.open('/sparse.bin', WRITE | CREAT | TRUNC);
    const started = Date.now();
    await expect(sftp.write(handle, 'x', 2 ** 40)).rejects.toThrow(/limit per file/);
    await expect(sftp.close(handle)).rejects.toThrow(/incomplete/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(stat(inHome('alice', 'sparse.bin'))).rejects.toThrow(/ENOENT/);
    expect(await leftovers('alice')).toEqual([]);
  }, 30_000);
});

describe('a per-user quota', () => {
  const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  let local: string;
  beforeAll(async () => {
    local = await mkdtemp(path.join(os.tmpdir(), 'sftp-quota-'));
    await stack.createUser({
      username: 'quinn',
      homeFolder: 'quinn',
      password: 'quinn-password',
      quotaBytes: 256 * 1024,
    });
  });
  afterAll(() => rm(local, { recursive: true, force: true }));
  const put = (name: string) =>
    sftpBatch({ port: stack.port, username: 'quinn', password: 'quinn-password' }, [
      `put ${path.join(local, name)} /${name}`,
    ]);

  it('refuses an OpenSSH upload past the quota, saying so, and leaves nothing under the real name', async () => {
    const fits = Buffer.alloc(200 * 1024, 7);
    await writeFile(path.join(local, 'fits.bin'), fits);
    await writeFile(path.join(local, 'too-much.bin'), Buffer.alloc(100 * 1024, 9));
    expect(await put('fits.bin')).toMatchObject({ code: 0 });
    expect(sha256(await readFile(inHome('quinn', 'fits.bin')))).toBe(sha256(fits));

    const refused = await put('too-much.bin');
    expect(refused.code).not.toBe(0);
    // OpenSSH prints only the status name for a failed write; the reason is in the message,
    // which the raw client below reads, and in the door's transfer log.
    expect(refused.stderr).toMatch(/write remote "\/too-much\.bin": Failure/);
    const quinnsLines = stack.log.records().filter((r) => r.username === 'quinn');
    expect(JSON.stringify(quinnsLines)).toMatch(/quota exceeded/);
    await expect(stat(inHome('quinn', 'too-much.bin'))).rejects.toThrow(/ENOENT/);
    expect(await leftovers('quinn')).toEqual([]);
  });

  it('refuses a sparse write whose hole would pass the quota, at once', async () => {
    const sftp = await raw('quinn');
    const handle = await sftp.open('/hole.bin', WRITE | CREAT | TRUNC);
    await expect(sftp.write(handle, 'x', 1024 * 1024)).rejects.toThrow(/quota exceeded/);
    await expect(sftp.close(handle)).rejects.toThrow(/incomplete/);
    await expect(stat(inHome('quinn', 'hole.bin'))).rejects.toThrow(/ENOENT/);
    expect(await leftovers('quinn')).toEqual([]);
  });
});

describe('open flags', () => {
  it('CREAT|EXCL refuses an existing file even for a user who may not list', async () => {
    await user('dropper', ['upload', 'overwrite']);
    await writeFile(inHome('dropper', 'keep.txt'), 'original');
    const sftp = await raw('dropper');
    await expect(sftp.open('/keep.txt', WRITE | CREAT | EXCL)).rejects.toThrow(/already exists/);
    await expect(sftp.open('/keep.txt', WRITE | CREAT | EXCL | TRUNC)).rejects.toThrow(
      /already exists/,
    );
    expect(await content('dropper', 'keep.txt')).toBe('original');
  });

  it('of two exclusive creates of one new name, only the first to close lands', async () => {
    const sftp = await raw();
    const first = await sftp.open('/once.txt', WRITE | CREAT | EXCL);
    const second = await sftp.open('/once.txt', WRITE | CREAT | EXCL);
    await sftp.write(first, 'first', 0);
    await sftp.write(second, 'second', 0);
    await sftp.close(first);
    await expect(sftp.close(second)).rejects.toThrow(/already exists/);
    expect(await content('alice', 'once.txt')).toBe('first');
    expect(await leftovers('alice')).toEqual([]);
  });

  it('opens a file to read and write in place (sshfs, editors saving in place)', async () => {
    await writeFile(inHome('alice', 'both.txt'), 'hello world');
    const sftp = await raw();
    const handle = await sftp.open('/both.txt', READ | WRITE);
    expect((await sftp.read(handle, 5, 0)).toString()).toBe('hello');
    await sftp.write(handle, 'HELLO', 0);
    expect((await sftp.read(handle, 11, 0)).toString()).toBe('HELLO world');
    await sftp.close(handle);
    expect(await content('alice', 'both.txt')).toBe('HELLO world');

    const created = await sftp.open('/both-new.txt', READ | WRITE | CREAT | EXCL);
    await sftp.write(created, 'new', 0);
    await sftp.close(created);
    expect(await content('alice', 'both-new.txt')).toBe('new');
  });

  it('a read-write open of an existing file needs download and overwrite', async () => {
    await user('noover', ['list', 'download', 'upload', 'append']);
    await writeFile(inHome('noover', 'a.txt'), 'a');
    const sftp = await raw('noover');
    await expect(sftp.open('/a.txt', READ | WRITE)).rejects.toThrow(
      /the overwrite privilege is not granted/,
    );
    await user('nodown', ['list', 'upload', 'overwrite']);
    await writeFile(inHome('nodown', 'a.txt'), 'a');
    const other = await raw('nodown');
    await expect(other.open('/a.txt', READ | WRITE)).rejects.toThrow(
      /the download privilege is not granted/,
    );
  });

  it('APPEND writes at the end, whatever offset the client names', async () => {
    await user('appender', ['list', 'download', 'upload', 'append']);
    await writeFile(inHome('appender', 'log.txt'), 'start-');
    await writeFile(inHome('alice', 'log.txt'), 'start-');
    for (const username of ['alice', 'appender']) {
      const sftp = await raw(username);
      const handle = await sftp.open('/log.txt', WRITE | APPEND);
      await sftp.write(handle, 'more', 0);
      await sftp.write(handle, '-and-more', 0);
      await sftp.close(handle);
      expect(await content(username, 'log.txt')).toBe('start-more-and-more');
    }
  });
});

describe('truncation', () => {
  it('FSETSTAT with a size cuts the stale tail of a file rewritten in place', async () => {
    await writeFile(inHome('alice', 'tail.txt'), '0123456789');
    const sftp = await raw();
    const handle = await sftp.open('/tail.txt', WRITE | CREAT);
    await sftp.write(handle, 'abc', 0);
    await sftp.fsetstat(handle, { size: 3 });
    await sftp.close(handle);
    expect(await content('alice', 'tail.txt')).toBe('abc');
  });

  it('SETSTAT with a size truncates under overwrite, and is refused without it', async () => {
    await writeFile(inHome('alice', 'cut.txt'), '0123456789');
    const sftp = await raw();
    await sftp.setstat('/cut.txt', { size: 4 });
    expect(await content('alice', 'cut.txt')).toBe('0123');

    await user('keeper', ['list', 'download', 'upload', 'append']);
    await writeFile(inHome('keeper', 'cut.txt'), '0123456789');
    const keeper = await raw('keeper');
    await expect(keeper.setstat('/cut.txt', { size: 4 })).rejects.toThrow(
      /the overwrite privilege is not granted/,
    );
    expect(await content('keeper', 'cut.txt')).toBe('0123456789');
  });
});

describe('transfer log', () => {
  it('writes one line per upload and download: user, protocol, direction, path, bytes, time, result', async () => {
    const client = await connectAs(stack, 'alice', clients);
    await client.put(Buffer.from('twelve bytes'), '/logged.txt');
    await client.get('/logged.txt');
    const lines = await eventually(async () => {
      const found = stack.log.records().filter((r) => r.transfer && r.path === '/logged.txt');
      return found.length >= 2 ? found : undefined;
    });
    const common = {
      username: 'alice',
      protocol: 'sftp',
      path: '/logged.txt',
      bytes: 12,
      durationMs: expect.any(Number),
      result: 'ok',
    };
    expect(lines).toEqual([
      expect.objectContaining({ ...common, transfer: 'upload' }),
      expect.objectContaining({ ...common, transfer: 'download' }),
    ]);
  });
});
