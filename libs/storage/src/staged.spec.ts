// Adopting a staged file (a resumable web upload written outside the homes) and the current
// folder (FTP's CWD).
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { filesUploaded, type Privilege } from '@tessera/contracts';
import {
  aliceSession,
  everyPrivilege,
  makeStorageRoot,
  recordingSink,
  refusal,
  type StorageRoot,
} from './spec-helpers';

let storage: StorageRoot;
let home: string;
let staging: string;
beforeEach(async () => {
  storage = await makeStorageRoot();
  home = storage.aliceHome;
  staging = path.join(storage.root, 'staging');
  await fs.mkdir(staging);
});
afterEach(() => storage.cleanup());

const at = (...names: string[]) => path.join(home, ...names);
const read = (name: string) => fs.readFile(at(name), 'utf8');
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const without = (...denied: Privilege[]) => everyPrivilege.filter((p) => !denied.includes(p));

async function stage(name: string, content: string): Promise<string> {
  const file = path.join(staging, name);
  await fs.writeFile(file, content);
  return file;
}

describe('adopting a staged file', () => {
  it('moves it into place and reports it as an upload', async () => {
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, { stagingRoot: staging }, sink);
    const staged = await stage('tus-1', 'resumable body');
    await fs.mkdir(at('in'));
    const result = await session.adoptStaged(staged, '/in/report.txt');
    expect(result).toEqual({ size: 14, sha256: sha256('resumable body') });
    expect(await read('in/report.txt')).toBe('resumable body');
    expect(existsSync(staged)).toBe(false);
    expect(filesUploaded.payload.parse(sink.notices[0].event)).toMatchObject({
      path: '/in/report.txt',
      size: 14,
      complete: true,
    });
  });

  it('checks the privileges again at adoption, and leaves the file staged on a refusal', async () => {
    const staged = await stage('tus-2', 'body');
    await fs.writeFile(at('taken.txt'), 'old');
    const noUpload = aliceSession(storage.homesRoot, {
      privileges: without('upload'),
      stagingRoot: staging,
    });
    expect(await refusal(noUpload.adoptStaged(staged, '/new.txt'))).toBe('permission-denied');
    const ruled = aliceSession(storage.homesRoot, {
      rules: [{ path: '/locked', privileges: ['list'] }],
      stagingRoot: staging,
    });
    await fs.mkdir(at('locked'));
    expect(await refusal(ruled.adoptStaged(staged, '/locked/x.txt'))).toBe('permission-denied');
    const noOverwrite = aliceSession(storage.homesRoot, {
      privileges: without('overwrite'),
      stagingRoot: staging,
    });
    expect(await refusal(noOverwrite.adoptStaged(staged, '/taken.txt'))).toBe('permission-denied');
    const full = aliceSession(storage.homesRoot, { stagingRoot: staging });
    expect(await refusal(full.adoptStaged(staged, '/taken.txt', { exclusive: true }))).toBe(
      'already-exists',
    );
    expect(await fs.readFile(staged, 'utf8')).toBe('body');
    expect(await read('taken.txt')).toBe('old');
  });

  it('takes files from the staging area only, and no links', async () => {
    const session = aliceSession(storage.homesRoot, { stagingRoot: staging });
    const outside = path.join(storage.root, 'elsewhere');
    await fs.writeFile(outside, 'secret');
    expect(await refusal(session.adoptStaged(outside, '/a.txt'))).toBe('permission-denied');
    expect(await refusal(session.adoptStaged(path.join(staging, '../elsewhere'), '/a.txt'))).toBe(
      'permission-denied',
    );
    await fs.symlink(outside, path.join(staging, 'link'));
    expect(await refusal(session.adoptStaged(path.join(staging, 'link'), '/a.txt'))).toBe(
      'io-error',
    );
    const noStaging = aliceSession(storage.homesRoot);
    expect(await refusal(noStaging.adoptStaged(await stage('t', 'x'), '/a.txt'))).toBe('io-error');
    expect(existsSync(at('a.txt'))).toBe(false);
  });

  it("refuses a staged file past the user's quota, and leaves it staged", async () => {
    const session = aliceSession(storage.homesRoot, { stagingRoot: staging, quotaBytes: 3 });
    const staged = await stage('q', 'four');
    expect(await refusal(session.adoptStaged(staged, '/q.txt'))).toBe('quota-exceeded');
    expect(await fs.readFile(staged, 'utf8')).toBe('four');
    const small = await stage('s', 'abc');
    await session.adoptStaged(small, '/s.txt');
    expect(await refusal(session.adoptStaged(await stage('t', 'x'), '/t.txt'))).toBe(
      'quota-exceeded',
    );
  });

  it('refuses a staged file past the limit per file', async () => {
    const session = aliceSession(storage.homesRoot, { stagingRoot: staging, maxFileSize: 3 });
    expect(await refusal(session.adoptStaged(await stage('big', 'four'), '/b.txt'))).toBe(
      'too-large',
    );
  });
});

describe('the current folder', () => {
  beforeEach(async () => {
    await fs.mkdir(at('docs', 'deep'), { recursive: true });
    await fs.writeFile(at('docs', 'a.txt'), 'A');
  });

  it('resolves relative paths, and starts at the home', async () => {
    const session = aliceSession(storage.homesRoot);
    expect(session.currentFolder).toBe('/');
    expect(await session.changeFolder('docs')).toBe('/docs');
    expect((await session.stat('a.txt')).size).toBe(1);
    expect((await session.list('.')).map((e) => e.name).sort()).toEqual(['a.txt', 'deep']);
    const upload = await session.openUpload('deep/b.txt', { kind: 'create' });
    await upload.commit();
    expect(existsSync(at('docs', 'deep', 'b.txt'))).toBe(true);
    expect(await session.changeFolder('..')).toBe('/');
  });

  it('never climbs above the home, and moves only to an existing folder', async () => {
    const session = aliceSession(storage.homesRoot);
    await session.changeFolder('/docs/deep');
    expect(await refusal(session.changeFolder('../../..'))).toBe('invalid-path');
    expect(await refusal(session.stat('../../../etc/passwd'))).toBe('invalid-path');
    expect(await refusal(session.changeFolder('/docs/a.txt'))).toBe('not-a-folder');
    expect(await refusal(session.changeFolder('/missing'))).toBe('not-found');
    expect(session.currentFolder).toBe('/docs/deep');
  });

  it('needs list to look, as stat does', async () => {
    const session = aliceSession(storage.homesRoot, { privileges: without('list') });
    expect(await refusal(session.changeFolder('/docs'))).toBe('permission-denied');
  });
});
