import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, promises as fs, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settingsUpdate, type Settings } from '@tessera/contracts';
import { eventually, readEvents } from '@tessera/testing';
import { sftpBatch, startSftpBatch } from './openssh';
import { homeOf, startStack, type Stack } from './stack';

/**
 * Issue 19, items 4 and 5, with the clients people use: OpenSSH `sftp` keeps mtimes (`put -p`),
 * changes modes (`chmod`) and resumes a hard-killed upload (`reput`) when `uploads.keep-partial`
 * is on; lftp's `mirror -R` (mode changes, size and mtime in one FSETSTAT) exits 0.
 */
let stack: Stack;
let local: string;
const login = () => ({ port: stack.port, username: 'rey', password: 'rey-password' });
const home = (...names: string[]) => homeOf(stack, 'rey', ...names);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const tempFiles = () => readdirSync(home()).filter((n) => n.startsWith('.tessera-upload-'));

// Real sftp and lftp processes, one of them throttled to be cut mid-way: seconds each.
jest.setTimeout(90_000);

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'rey', homeFolder: 'rey', password: 'rey-password' });
  local = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-resume-'));
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await fs.rm(local, { recursive: true, force: true });
});

async function setting(changes: Partial<Settings>): Promise<void> {
  const reply = await stack.bus.request(settingsUpdate, { changes });
  if (!reply.ok) throw new Error(reply.error.message);
}

describe('attribute changes (OpenSSH sftp)', () => {
  it('`put -p` keeps the modification time', async () => {
    const file = path.join(local, 'dated.txt');
    await fs.writeFile(file, 'from 2001');
    const mtime = new Date('2001-02-03T04:05:06Z');
    await fs.utimes(file, mtime, mtime);
    const result = await sftpBatch(login(), ['put -p dated.txt'], { cwd: local });
    expect(result).toMatchObject({ code: 0 });
    expect(statSync(home('dated.txt')).mtime.toISOString()).toBe(mtime.toISOString());
  });

  it('`chmod 600` succeeds and leaves the server its own modes', async () => {
    await fs.writeFile(home('mode.txt'), 'x');
    await fs.chmod(home('mode.txt'), 0o644);
    const result = await sftpBatch(login(), ['chmod 600 mode.txt'], { cwd: local });
    expect(result).toMatchObject({ code: 0 });
    expect(statSync(home('mode.txt')).mode & 0o777).toBe(0o644);
  });
});

describe('a hard-killed upload (OpenSSH sftp, SIGKILL)', () => {
  const body = randomBytes(6 * 1024 * 1024);
  beforeAll(() => fs.writeFile(path.join(local, 'big.bin'), body));

  /** Starts `put` throttled to ~1 MB/s and kills sftp and ssh once some of it has arrived. */
  async function killMidway(remote: string): Promise<void> {
    const child = await startSftpBatch(login(), [`put big.bin ${remote}`], {
      cwd: local,
      extra: ['-l', '8000'],
    });
    await eventually(() => {
      const partial = tempFiles()[0];
      return partial && statSync(home(partial)).size > 512 * 1024 ? true : undefined;
    }, 30_000);
    process.kill(-child.pid!, 'SIGKILL');
  }

  it('with uploads.keep-partial on, leaves the partial file, and `reput` completes it', async () => {
    await setting({ 'uploads.keep-partial': true });
    await killMidway('kept.bin');
    await eventually(
      () => (tempFiles().length === 0 && existsSync(home('kept.bin')) ? true : undefined),
      20_000,
    );
    const partial = statSync(home('kept.bin')).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(body.length);
    const events = await readEvents(stack.bus.connection, stack.bus.prefix, 'files.uploaded');
    expect(events.find((e) => e.path === '/kept.bin')).toMatchObject({
      size: partial,
      complete: false,
    });

    const resumed = await sftpBatch(login(), ['reput big.bin kept.bin'], { cwd: local });
    expect(resumed).toMatchObject({ code: 0 });
    expect(sha256(await fs.readFile(home('kept.bin')))).toBe(sha256(body));
  });

  it('with uploads.keep-partial off (the default), leaves nothing', async () => {
    await setting({ 'uploads.keep-partial': false });
    await killMidway('dropped.bin');
    await eventually(() => (tempFiles().length === 0 ? true : undefined), 20_000);
    expect(existsSync(home('dropped.bin'))).toBe(false);
  });
});

describe('a hard-killed download (OpenSSH sftp, SIGKILL), resumed with `reget`', () => {
  const body = randomBytes(24 * 1024 * 1024);
  beforeAll(async () => {
    await fs.mkdir(home(), { recursive: true });
    await fs.writeFile(home('source.bin'), body);
  });

  /** Starts `get` and kills sftp and ssh once part of the file has arrived. */
  async function killMidway(target: string): Promise<void> {
    const child = await startSftpBatch(login(), [`get source.bin ${target}`], { cwd: local });
    await eventually(() => {
      const got = path.join(local, target);
      return existsSync(got) && statSync(got).size > 4 * 1024 * 1024 ? true : undefined;
    }, 30_000);
    process.kill(-child.pid!, 'SIGKILL');
  }

  // OpenSSH's client writes read replies as they arrive and `reget` resumes from the local
  // file's end: replies out of order left holes below it, kept as zeros (4 runs in 9).
  it.each([1, 2, 3])('completes the file byte for byte (run %i)', async (run) => {
    const target = `got-${run}.bin`;
    await killMidway(target);
    const resumed = await sftpBatch(login(), [`reget source.bin ${target}`], { cwd: local });
    expect(resumed).toMatchObject({ code: 0 });
    expect(sha256(await fs.readFile(path.join(local, target)))).toBe(sha256(body));
  });
});

describe('lftp', () => {
  it('`mirror -R` of a small tree exits 0 and keeps the modification times', async () => {
    const tree = path.join(local, 'tree');
    const mtime = new Date('2010-05-06T07:08:09Z');
    // Modes other than the server's 0644: mirror -R sends each of them as a mode change.
    const files = { 'a.txt': 0o600, 'sub/run.sh': 0o755, 'sub/deeper/c.bin': 0o640 };
    for (const [name, mode] of Object.entries(files)) {
      await fs.mkdir(path.dirname(path.join(tree, name)), { recursive: true });
      await fs.writeFile(path.join(tree, name), randomBytes(1000 + name.length), { mode });
      await fs.chmod(path.join(tree, name), mode);
      await fs.utimes(path.join(tree, name), mtime, mtime);
    }
    const debug = path.join(local, 'lftp-debug.log');
    const result = await lftp([`debug -o ${debug} 9`, 'mirror -R tree mirrored']);
    expect(result).toEqual({ code: 0, output: '' });
    // lftp shrugs off a refused mode change ("Operation not supported"); the door refuses none.
    const statuses = (await fs.readFile(debug, 'utf8')).match(/status code=\d+\([^)]*\)/g);
    expect(new Set(statuses)).toEqual(new Set(['status code=0(OK)', 'status code=1(EOF)']));
    for (const name of Object.keys(files)) {
      const landed = home('mirrored', name);
      expect((await fs.readFile(landed)).equals(await fs.readFile(path.join(tree, name)))).toBe(
        true,
      );
      expect(statSync(landed).mtime.toISOString()).toBe(mtime.toISOString());
    }
  });
});

/** lftp over sftp, its ssh told to trust the test's host key; exits 1 on any failed command. */
function lftp(commands: string[]): Promise<{ code: number; output: string }> {
  const ssh = 'ssh -a -x -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null';
  const script = [
    `set sftp:connect-program "${ssh}"`,
    'set net:max-retries 1',
    'set cmd:fail-exit yes',
    ...commands,
    'quit',
  ].join('; ');
  const args = [
    '-u',
    'rey,rey-password',
    '-p',
    String(stack.port),
    '-e',
    script,
    'sftp://127.0.0.1',
  ];
  return new Promise((resolve) => {
    execFile('lftp', args, { cwd: local, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}
