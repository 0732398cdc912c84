import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { folderSetsCreate } from '@tessera/contracts';
import { sftpBatch } from './openssh';
import { homeOf, startStack, type Stack, connectAs } from './stack';

let stack: Stack;
let work: string;
const clients: SftpClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  work = await mkdtemp(path.join(os.tmpdir(), 'sftp-privileges-'));
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const connect = (username: string) => connectAs(stack, username, clients);

async function userWith(
  username: string,
  privileges: Parameters<Stack['createUser']>[0]['privileges'],
  folderSet?: string,
) {
  await stack.createUser({
    username,
    homeFolder: username,
    password: `${username}-password`,
    privileges,
    folderSet,
  });
  await mkdir(homeOf(stack, username), { recursive: true });
}

const denied = (privilege: string, folder = '/') =>
  new RegExp(`the ${privilege} privilege is not granted in ${folder.replace('/', '\\/')}`);

describe('each privilege is checked', () => {
  it('a list+download user may look and fetch, and nothing else', async () => {
    await userWith('reader', ['list', 'download']);
    await writeFile(homeOf(stack, 'reader', 'a.txt'), 'a');
    await mkdir(homeOf(stack, 'reader', 'sub'));
    const c = await connect('reader');
    expect((await c.get('/a.txt')).toString()).toBe('a');
    await expect(c.put(Buffer.from('x'), '/new.txt')).rejects.toThrow(denied('upload'));
    await expect(c.delete('/a.txt')).rejects.toThrow(denied('delete-files'));
    await expect(c.mkdir('/made')).rejects.toThrow(denied('create-folders'));
    await expect(c.rmdir('/sub')).rejects.toThrow(denied('delete-folders'));
    await expect(c.rename('/a.txt', '/b.txt')).rejects.toThrow(denied('rename'));
    // Opened WRITE|CREAT|APPEND: either privilege could allow it, asked before the disk is looked at.
    await expect(c.append(Buffer.from('x'), '/a.txt')).rejects.toThrow(denied('append or upload'));
    expect(await readFile(homeOf(stack, 'reader', 'a.txt'), 'utf8')).toBe('a');
  });

  it('an upload-only drop box takes new files but shows, serves and replaces none', async () => {
    await userWith('dropbox', ['upload']);
    const c = await connect('dropbox');
    await c.put(Buffer.from('first'), '/drop.txt');
    await expect(c.put(Buffer.from('again'), '/drop.txt')).rejects.toThrow(denied('overwrite'));
    await expect(c.list('/')).rejects.toThrow(denied('list'));
    await expect(c.get('/drop.txt')).rejects.toThrow(denied('download'));
    expect(await readFile(homeOf(stack, 'dropbox', 'drop.txt'), 'utf8')).toBe('first');
  });

  it('append without overwrite resumes uploads but never rewrites bytes', async () => {
    await userWith('appender', ['list', 'download', 'upload', 'append']);
    await writeFile(homeOf(stack, 'appender', 'log.txt'), 'start-');
    const c = await connect('appender');
    await c.append(Buffer.from('more'), '/log.txt');
    expect(await readFile(homeOf(stack, 'appender', 'log.txt'), 'utf8')).toBe('start-more');
    await expect(c.put(Buffer.from('gone'), '/log.txt')).rejects.toThrow(denied('overwrite'));
  });

  it('OpenSSH sftp shows a refusal as "Permission denied"', async () => {
    await writeFile(path.join(work, 'x.txt'), 'x');
    const result = await sftpBatch(
      { port: stack.port, username: 'reader', password: 'reader-password' },
      ['-put x.txt', '-mkdir d', '-rm a.txt'],
      { cwd: work },
    );
    expect(result.stderr).toMatch(/dest open "\/x\.txt": Permission denied/);
    expect(result.stderr).toMatch(/remote mkdir "\/d": Permission denied/);
    expect(result.stderr).toMatch(/remote delete \/a\.txt: Permission denied/);
  });
});

describe('folder sets', () => {
  beforeAll(async () => {
    const created = await stack.bus.request(folderSetsCreate, {
      name: 'customers',
      rules: [
        { path: '/', privileges: ['list', 'download'] },
        { path: '/inbox', privileges: ['list', 'upload'] },
        { path: '/archive', privileges: ['list'] },
      ],
    });
    if (!created.ok) throw new Error(created.error.message);
    await userWith('acme', [], 'customers');
    await mkdir(homeOf(stack, 'acme', 'inbox'), { recursive: true });
    await mkdir(homeOf(stack, 'acme', 'archive'), { recursive: true });
    await writeFile(homeOf(stack, 'acme', 'archive', 'old.pdf'), 'old');
    await writeFile(homeOf(stack, 'acme', 'price-list.pdf'), 'prices');
  });

  it('the most specific rule decides, folder by folder', async () => {
    const c = await connect('acme');
    expect((await c.get('/price-list.pdf')).toString()).toBe('prices');
    await c.put(Buffer.from('order'), '/inbox/order.csv');
    await expect(c.put(Buffer.from('x'), '/order.csv')).rejects.toThrow(denied('upload'));
    await expect(c.get('/inbox/order.csv')).rejects.toThrow(denied('download', '/inbox'));
    await expect(c.get('/archive/old.pdf')).rejects.toThrow(denied('download', '/archive'));
    await expect(c.delete('/inbox/order.csv')).rejects.toThrow(denied('delete-files', '/inbox'));
    expect((await c.list('/archive')).map((f) => f.name)).toEqual(['old.pdf']);
  });
});

describe('the home is a jail', () => {
  let c: SftpClient;

  beforeAll(async () => {
    await userWith('jailed', [
      'list',
      'download',
      'upload',
      'overwrite',
      'create-folders',
      'rename',
      'delete-files',
    ]);
    await mkdir(path.join(stack.homes, 'neighbour'), { recursive: true });
    await writeFile(path.join(stack.homes, 'neighbour', 'secret.txt'), 'secret');
    await symlink('/etc', homeOf(stack, 'jailed', 'etc-link'));
    await symlink(
      path.join(stack.homes, 'neighbour', 'secret.txt'),
      homeOf(stack, 'jailed', 'secret-link'),
    );
    await writeFile(homeOf(stack, 'jailed', 'mine.txt'), 'mine');
    await symlink('mine.txt', homeOf(stack, 'jailed', 'inside-link'));
    c = await connect('jailed');
  });

  it('refuses .. above the home, and treats absolute paths as inside it', async () => {
    await expect(c.get('/../neighbour/secret.txt')).rejects.toThrow(/climbs above the home/);
    await expect(c.get('../../etc/passwd')).rejects.toThrow(/climbs above the home/);
    await expect(c.get('/etc/passwd')).rejects.toThrow(/no such file/);
    await expect(c.put(Buffer.from('x'), '/../escaped.txt')).rejects.toThrow(/climbs above/);
    await expect(c.rename('/mine.txt', '/../neighbour/stolen.txt')).rejects.toThrow(/climbs above/);
    await expect(stat(path.join(stack.homes, 'escaped.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('answers REALPATH of .. at the home with the home, as a chroot does', async () => {
    expect(await c.realPath('..')).toBe('/');
    expect(await c.realPath('/../../mine.txt')).toBe('/mine.txt');
    expect(await c.realPath('')).toBe('/');
    await expect(c.get('/../jailed/mine.txt')).rejects.toThrow(/climbs above the home/);
  });

  it('never follows a planted link out of the home, for reading, listing or writing', async () => {
    await expect(c.get('/etc-link/passwd')).rejects.toThrow(/leads outside the home/);
    await expect(c.list('/etc-link')).rejects.toThrow(/leads outside the home/);
    await expect(c.get('/secret-link')).rejects.toThrow(/leads outside the home/);
    await expect(c.put(Buffer.from('x'), '/etc-link/planted')).rejects.toThrow(
      /leads outside the home/,
    );
    expect(await readFile(path.join(stack.homes, 'neighbour', 'secret.txt'), 'utf8')).toBe(
      'secret',
    );
  });

  it('follows a link that stays inside, and OpenSSH sftp cannot climb out either', async () => {
    expect((await c.get('/inside-link')).toString()).toBe('mine');
    const result = await sftpBatch(
      { port: stack.port, username: 'jailed', password: 'jailed-password' },
      ['-cd ..', '-get /../neighbour/secret.txt', '-get etc-link/passwd', 'pwd'],
      { cwd: work },
    );
    expect(result.stdout).toContain('Remote working directory: /');
    await expect(stat(path.join(work, 'secret.txt'))).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(work, 'passwd'))).rejects.toThrow(/ENOENT/);
  });
});
