import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { eventually } from '@tessera/testing';
import { sftpBatch, type SftpLogin } from './openssh';
import { homeOf, startStack, type Stack } from './stack';

let stack: Stack;
let work: string;
let alice: SftpLogin;

beforeAll(async () => {
  stack = await startStack();
  work = await mkdtemp(path.join(os.tmpdir(), 'sftp-transfers-'));
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  alice = { port: stack.port, username: 'alice', password: 'alice-password' };
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const inHome = (...parts: string[]) => homeOf(stack, 'alice', ...parts);
const batch = (commands: string[], verbose = false) =>
  sftpBatch(alice, commands, { cwd: work, verbose });

async function localFile(name: string, size: number): Promise<Buffer> {
  const content = randomBytes(size);
  await writeFile(path.join(work, name), content);
  return content;
}

describe('OpenSSH sftp in batch mode', () => {
  it('uploads, lists with ls -l lines like OpenSSH, and downloads byte-identical', async () => {
    const content = await localFile('report.bin', 3 * 1024 * 1024 + 17);
    const result = await batch(['put report.bin', 'ls -l', 'get report.bin back.bin']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /-rw-r--r-- +1 alice +alice +3145745 \w{3} [ \d]\d \d\d:\d\d report\.bin/,
    );
    expect(sha256(await readFile(inHome('report.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(path.join(work, 'back.bin')))).toBe(sha256(content));
  });

  it('uses 255 KiB reads and writes, as limits@openssh.com tells the unmodified client', async () => {
    await localFile('big.bin', 2 * 1024 * 1024);
    const result = await batch(['put big.bin', 'get big.bin big-back.bin'], true);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Server supports extension "limits@openssh.com" revision 1');
    expect(result.stderr).toContain(
      'server upload/download buffer sizes 261120 / 261120; using 261120 / 261120',
    );
    expect(result.stderr).toMatch(/Sent message SSH2_FXP_WRITE I:\d+ O:261120 S:261120/);
    expect(result.stderr).toMatch(/Request range 261120 -> 522239/);
  });

  it('resumes a cut upload with reput and put -a, keeping the bytes already there', async () => {
    const content = await localFile('cut.bin', 1024 * 1024 + 5);
    await writeFile(inHome('cut.bin'), content.subarray(0, 300_000));
    await writeFile(inHome('cut2.bin'), content.subarray(0, 1000));
    const result = await batch(['reput cut.bin', 'put -a cut.bin cut2.bin']);
    expect(result.stderr).toBe('');
    expect(sha256(await readFile(inHome('cut.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(inHome('cut2.bin')))).toBe(sha256(content));
  });

  it('resumes a cut download with reget', async () => {
    const content = randomBytes(700_000);
    await writeFile(inHome('movie.bin'), content);
    await writeFile(path.join(work, 'movie.bin'), content.subarray(0, 123_456));
    const result = await batch(['reget movie.bin']);
    expect(result.stderr).toBe('');
    expect(sha256(await readFile(path.join(work, 'movie.bin')))).toBe(sha256(content));
  });

  it('renames, deletes, makes and removes folders', async () => {
    await writeFile(inHome('old.txt'), 'hello');
    const result = await batch([
      'mkdir reports',
      'rename old.txt reports/new.txt',
      'ls reports',
      'mkdir empty',
      'rmdir empty',
      'rm reports/new.txt',
      'rmdir reports',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('reports/new.txt');
    await expect(stat(inHome('reports'))).rejects.toThrow(/ENOENT/);
    await expect(stat(inHome('old.txt'))).rejects.toThrow(/ENOENT/);
    const audit = stack.log.records().filter((r) => r.username === 'alice' && r.request);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ request: 'mkdir', path: '/reports', outcome: 'OK' }),
        expect.objectContaining({ request: 'posix-rename@openssh.com', path: '/old.txt' }),
        expect.objectContaining({ request: 'rmdir', path: '/empty', outcome: 'OK' }),
      ]),
    );
  });

  it('keeps times with put -p and get -p', async () => {
    await localFile('dated.txt', 10);
    const when = new Date('2020-02-02T12:00:00Z');
    const { utimes } = await import('node:fs/promises');
    await utimes(path.join(work, 'dated.txt'), when, when);
    const result = await batch(['put -p dated.txt', 'get -p dated.txt dated-back.txt']);
    expect(result.stderr).toBe('');
    expect((await stat(inHome('dated.txt'))).mtime.toISOString()).toBe(when.toISOString());
    expect((await stat(path.join(work, 'dated-back.txt'))).mtime.toISOString()).toBe(
      when.toISOString(),
    );
  });

  it('answers missing files, non-empty folders and files that are folders with an error', async () => {
    await mkdir(inHome('full'), { recursive: true });
    await writeFile(inHome('full', 'x'), 'x');
    const result = await batch(['-get nothing-here.txt', '-rmdir full', '-rm full']);
    // OpenSSH's client prints its own words for SSH_FX_FAILURE; ssh2-sftp-client below shows ours.
    expect(result.stderr).toContain('File "/nothing-here.txt" not found.');
    expect(result.stderr).toContain('remote rmdir "/full": Failure');
    expect(result.stderr).toContain('remote delete /full: Failure');
    expect(await readFile(inHome('full', 'x'), 'utf8')).toBe('x');
  });

  it('refuses symbolic links with a reason, and takes chmod without applying it', async () => {
    await writeFile(inHome('target.txt'), 't', { mode: 0o644 });
    const result = await batch(['-ln -s target.txt link.txt', '-chmod 600 target.txt']);
    expect(result.stderr).toMatch(/symlink.*Permission denied|not allowed/i);
    expect(result.stderr).not.toMatch(/setstat/i); // modes are the server's: accepted, ignored
    expect((await stat(inHome('target.txt'))).mode & 0o777).toBe(0o644);
    await expect(stat(inHome('link.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('answers df (statvfs@openssh.com)', async () => {
    const result = await batch(['df -h', 'pwd']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Size +Used +Avail/);
    expect(result.stdout).toContain('Remote working directory: /');
  });
});

describe('ssh2-sftp-client', () => {
  let client: SftpClient;

  beforeAll(async () => {
    client = new SftpClient();
    await client.connect({
      host: '127.0.0.1',
      port: stack.port,
      username: 'alice',
      password: 'alice-password',
    });
  });
  afterAll(() => client?.end());

  it('puts, gets, appends, lists and renames', async () => {
    const content = randomBytes(1024 * 1024 + 3);
    await client.put(content, '/client.bin');
    expect(sha256(await client.get('/client.bin'))).toBe(sha256(content));
    await client.append(Buffer.from('tail'), '/client.bin');
    expect((await client.stat('/client.bin')).size).toBe(content.length + 4);
    await client.rename('/client.bin', '/renamed.bin');
    const names = (await client.list('/')).map((f) => f.name);
    expect(names).toContain('renamed.bin');
    expect(names).not.toContain('client.bin');
    expect(await client.realPath('.')).toBe('/');
  });

  it('moves files with fastPut and fastGet, byte-identical', async () => {
    const content = await localFile('fast.bin', 5 * 1024 * 1024 + 1);
    await client.fastPut(path.join(work, 'fast.bin'), '/fast.bin');
    await client.fastGet('/fast.bin', path.join(work, 'fast-back.bin'));
    expect(sha256(await readFile(path.join(work, 'fast-back.bin')))).toBe(sha256(content));
  });

  it('replaces a target with posix-rename, not with plain rename', async () => {
    await client.put(Buffer.from('one'), '/one.txt');
    await client.put(Buffer.from('two'), '/two.txt');
    await expect(client.rename('/one.txt', '/two.txt')).rejects.toThrow(/already exists/);
    await client.posixRename('/one.txt', '/two.txt');
    expect((await client.get('/two.txt')).toString()).toBe('one');
  });

  it('leaves nothing under the real name when an upload is cut off', async () => {
    const cut = new SftpClient();
    await cut.connect({
      host: '127.0.0.1',
      port: stack.port,
      username: 'alice',
      password: 'alice-password',
    });
    const raw = cut.sftp;
    const handle = await new Promise<Buffer>((resolve, reject) =>
      raw.open('/cut-off.bin', 'w', (err, h) => (err ? reject(err) : resolve(h))),
    );
    await new Promise<void>((resolve, reject) =>
      raw.write(handle, randomBytes(100_000), 0, 100_000, 0, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    await cut.end(); // no CLOSE: the connection just goes away
    const leftovers = await eventually(async () => {
      const names = await readdir(inHome());
      return names.some((n) => n.startsWith('.tessera-upload-')) ? undefined : names;
    });
    expect(leftovers).not.toContain('cut-off.bin');
  });

  it('makes and removes folders, and reports missing ones', async () => {
    await client.mkdir('/deep/er/still', true);
    expect(await client.exists('/deep/er/still')).toBe('d');
    await client.rmdir('/deep/er/still');
    expect(await client.exists('/deep/er/still')).toBe(false);
    await expect(client.delete('/no-such-file')).rejects.toThrow(
      '/no-such-file: no such file or folder',
    );
    await client.mkdir('/busy');
    await client.put(Buffer.from('x'), '/busy/x');
    await expect(client.rmdir('/busy')).rejects.toThrow('/busy: folder is not empty');
    await expect(client.delete('/busy')).rejects.toThrow('/busy: is a folder');
  });
});
