// The jail under attack: every path here comes from a hostile client. Each one must be refused
// with a StorageError or land inside alice's home; nothing outside it is ever read or changed.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StorageError, type StorageErrorCode } from './errors';
import { FileSession } from './file-session';
import { normaliseVirtualPath } from './paths';
import { aliceSession, makeStorageRoot, snapshot, type StorageRoot } from './spec-helpers';

/** Refused before the disk is touched: '..' above the home, NUL, controls, dot-names, lengths. */
const invalidPaths: string[] = [
  // ".." in every position
  '..',
  '/..',
  '../',
  '/../',
  '../a',
  '/../a',
  '/../etc/passwd',
  'a/../..',
  '/a/../..',
  '/a/../../b',
  '/a/b/../../..',
  '/a/b/c/../../../../etc',
  '/./..',
  '/./../.',
  '//..//..//',
  '/a/./../../',
  '/a/b/../c/../../..',
  '../../../../../../../../../../etc/passwd',
  '/docs/../../alice/docs',
  '/docs/../../bob/secret.txt',
  // names made of dots and spaces (mean ".." to Windows or after folding)
  '...',
  '/...',
  '/..../',
  '....//',
  '....//....//etc/passwd',
  '/.../...',
  '.. ',
  '/.. /etc',
  ' ..',
  '/. .',
  '/.. .',
  '/ . ',
  '/a/.. /b',
  // Windows-style separators
  '..\\',
  '..\\..\\etc\\passwd',
  '/..\\..\\bob',
  '/a\\..\\..\\b',
  '\\..\\',
  '/docs\\..',
  '.\\..',
  'a/..\\b',
  '/...\\x',
  // Unicode look-alikes of dots, slashes and backslashes
  '/\u2024\u2024',
  '/\u2024\u2024/etc',
  '/\u2025',
  '/\uff0e\uff0e',
  '/\uff0e\uff0e/bob',
  '/\ufe52\ufe52',
  '/\uff0e\uff0e\uff0fetc',
  '/\uff0e\uff0e\uff3cetc',
  '/.\u2024',
  '/\u2024\u2024\u2024',
  // NUL and control characters
  '\0',
  '/a\0b',
  '/etc/passwd\0.png',
  '..\0',
  '/docs/readme.txt\0',
  '/a\nb',
  '/a\r\nDELE x',
  '/\x1b[31mred',
  '/a\x7f',
  '/a\x85',
  '/a\u009b1m',
  '/tab\there',
  '/a\x08b',
  // broken UTF-16 (would become U+FFFD on disk: a different name)
  '/\ud800',
  '/a\udc00b',
  // over-long names and paths
  '/' + 'a'.repeat(256),
  '/' + 'é'.repeat(128),
  '/docs/' + '\u{1F600}'.repeat(64) + 'a'.repeat(1),
  ('/' + 'a'.repeat(200)).repeat(21),
  '/' + 'a/'.repeat(2049),
  // the reserved in-progress-upload prefix
  '/.tessera-upload-0123456789abcdef01234567',
  '/docs/.tessera-upload-x',
];

/** Accepted as names: odd-looking, but on POSIX storage they are ordinary names inside the home. */
const harmlessLookAlikes: Array<[input: string, virtual: string]> = [
  ['/etc/passwd', '/etc/passwd'],
  ['//etc//passwd', '/etc/passwd'],
  ['/proc/self/root', '/proc/self/root'],
  ['/%2e%2e/etc', '/%2e%2e/etc'],
  ['/%2e%2e%2f%2e%2e%2fetc', '/%2e%2e%2f%2e%2e%2fetc'],
  ['/..%2f..%2fetc', '/..%2f..%2fetc'],
  ['/%252e%252e', '/%252e%252e'],
  ['/..%c0%af', '/..%c0%af'],
  ['/%00', '/%00'],
  ['/..;', '/..;'],
  ['/C:\\Windows\\System32', '/C:\\Windows\\System32'],
  ['\\\\server\\share', '/\\\\server\\share'],
  ['/a\\b', '/a\\b'],
  ['/name.', '/name.'],
  ['/name ', '/name '],
  ['/.hidden', '/.hidden'],
  ['/..hidden', '/..hidden'],
  ['/a..b', '/a..b'],
  ['/\u3002\u3002', '/\u3002\u3002'],
  ['/~', '/~'],
  ['~/x', '/~/x'],
  ['/a/b/../../etc', '/etc'],
  ['/docs/./readme.txt', '/docs/readme.txt'],
  ['/' + 'a'.repeat(255), '/' + 'a'.repeat(255)],
];

/** Paths through links planted in the home: refused when the link leads out. */
const linkEscapes: Array<[input: string, code: StorageErrorCode]> = [
  ['/etc-link', 'permission-denied'],
  ['/etc-link/passwd', 'permission-denied'],
  ['/etc-link/', 'permission-denied'],
  ['etc-link/./passwd', 'permission-denied'],
  ['/passwd-link', 'permission-denied'],
  ['/out-link/secret.txt', 'permission-denied'],
  ['/out-link/new-file', 'permission-denied'],
  ['/out-file-link', 'permission-denied'],
  ['/bob-link', 'permission-denied'],
  ['/bob-link/secret.txt', 'permission-denied'],
  ['/bob-abs/secret.txt', 'permission-denied'],
  ['/parent-link', 'permission-denied'],
  ['/parent-link/bob/secret.txt', 'permission-denied'],
  ['/storage-link/outside/secret.txt', 'permission-denied'],
  ['/root-link/etc/passwd', 'permission-denied'],
  ['/chain1', 'permission-denied'],
  ['/chain1/secret.txt', 'permission-denied'],
  ['/docs/up-link/bob/secret.txt', 'permission-denied'],
  ['/docs/bob-file-link', 'permission-denied'],
  ['/docs-link/up-link/bob', 'permission-denied'],
  ['/loop-a', 'permission-denied'],
  ['/loop-a/x', 'permission-denied'],
  ['/dangling-out/x', 'not-found'],
  ['/dangling-out/x/y', 'not-found'],
];

/** Links that stay inside the home are followed. */
const linksInside: Array<[input: string, canonical: string]> = [
  ['/docs-link/readme.txt', '/docs/readme.txt'],
  ['/docs-abs/readme.txt', '/docs/readme.txt'],
  ['/inner-chain1/readme.txt', '/docs/readme.txt'],
  ['/readme-link', '/docs/readme.txt'],
  ['/etc-link/..', '/'], // lexical: ".." is resolved before any link is looked at
  ['/docs-link/../docs/readme.txt', '/docs/readme.txt'],
];

/** Builds alice's home full of traps, beside bob's home and a folder outside every home. */
async function plantTraps(storage: StorageRoot): Promise<void> {
  const { root, homesRoot, aliceHome } = storage;
  const link = (target: string, at: string) => fs.symlink(target, path.join(aliceHome, at));
  await fs.mkdir(path.join(root, 'outside'));
  await fs.writeFile(path.join(root, 'outside', 'secret.txt'), 'outside secret');
  await fs.mkdir(path.join(homesRoot, 'bob'));
  await fs.writeFile(path.join(homesRoot, 'bob', 'secret.txt'), 'bob secret');
  await fs.mkdir(path.join(aliceHome, 'docs'));
  await fs.writeFile(path.join(aliceHome, 'docs', 'readme.txt'), 'hello');
  await link('/etc', 'etc-link');
  await link('/etc/passwd', 'passwd-link');
  await link('/', 'root-link');
  await link(path.join(root, 'outside'), 'out-link');
  await link(path.join(root, 'outside', 'secret.txt'), 'out-file-link');
  await link('../bob', 'bob-link');
  await link(path.join(homesRoot, 'bob'), 'bob-abs');
  await link('..', 'parent-link');
  await link('../..', 'storage-link');
  await link('chain2', 'chain1');
  await link('chain3', 'chain2');
  await link(path.join(root, 'outside'), 'chain3');
  await link('loop-b', 'loop-a');
  await link('loop-a', 'loop-b');
  await link(path.join(root, 'outside', 'not-yet'), 'dangling-out');
  await link('../..', 'docs/up-link');
  await link('../../bob/secret.txt', 'docs/bob-file-link');
  await link('docs', 'docs-link');
  await link(path.join(aliceHome, 'docs'), 'docs-abs');
  await link('inner-chain2', 'inner-chain1');
  await link('docs', 'inner-chain2');
  await link('docs/readme.txt', 'readme-link');
}

async function codeOf(operation: Promise<unknown>): Promise<StorageErrorCode | 'ok'> {
  try {
    await operation;
    return 'ok';
  } catch (error) {
    if (error instanceof StorageError) return error.code;
    throw error; // anything else is a bug: fail the test loudly
  }
}

describe('hostile paths', () => {
  let storage: StorageRoot;
  let session: FileSession;

  beforeAll(async () => {
    storage = await makeStorageRoot();
    await plantTraps(storage);
    session = aliceSession(storage.homesRoot);
  });
  afterAll(() => storage.cleanup());

  it('has a corpus of at least 100 cases', () => {
    const total =
      invalidPaths.length + harmlessLookAlikes.length + linkEscapes.length + linksInside.length;
    expect(total).toBeGreaterThanOrEqual(100);
  });

  it.each(invalidPaths.map((p) => [JSON.stringify(p).slice(0, 60), p]))(
    'refuses %s as an invalid path',
    async (_label, input) => {
      expect(() => normaliseVirtualPath(input)).toThrow(StorageError);
      expect(await codeOf(session.stat(input))).toBe('invalid-path');
      expect(await codeOf(session.openWrite(input, { mode: 'create' }))).toBe('invalid-path');
    },
  );

  it.each(harmlessLookAlikes)('keeps %j inside the home as %j', async (input, virtual) => {
    expect(normaliseVirtualPath(input)).toBe(virtual);
    expect(await session.realpath(input)).toBe(virtual);
  });

  it.each(linkEscapes)('refuses %j, whose link leads out, with %s', async (input, code) => {
    expect(await codeOf(session.stat(input))).toBe(code);
    expect(await codeOf(session.list(input))).toBe(code);
    expect(await codeOf(session.openRead(input))).toBe(code);
  });

  it.each(linksInside)('follows %j, a link that stays inside, to %j', async (input, canonical) => {
    expect(await session.realpath(input)).toBe(canonical);
    const entry = await session.stat(input);
    expect(entry.kind).toBe(canonical === '/' ? 'folder' : 'file');
  });

  it('reads through a link to a folder inside the home', async () => {
    const download = await session.openRead('/docs-link/readme.txt');
    expect((await download.read(100, 0)).toString()).toBe('hello');
    await download.close();
  });

  it('lists links as links, and refuses to list or read through the ones that leave', async () => {
    const names = (await session.list('/')).map((e) => `${e.name}:${e.kind}`);
    expect(names).toEqual(expect.arrayContaining(['etc-link:symlink', 'docs:folder']));
    expect((await session.lstat('/etc-link')).kind).toBe('symlink');
  });

  it('refuses a home folder that is itself a link out of the storage root', async () => {
    await fs.symlink(path.join(storage.root, 'outside'), path.join(storage.homesRoot, 'mallory'));
    const mallory = new FileSession({
      homesRoot: storage.homesRoot,
      user: { username: 'mallory', homeFolder: 'mallory', privileges: ['list'], folderSet: null },
      protocol: 'ftp',
      maxFileSize: 1024,
    });
    expect(await codeOf(mallory.list('/'))).toBe('permission-denied');
  });
});

/** Every operation, with every privilege, on every path: the outside world never changes. */
describe('hostile paths against every operation', () => {
  const corpus = [
    ...invalidPaths,
    ...harmlessLookAlikes.map(([input]) => input),
    ...linkEscapes.map(([input]) => input),
    ...linksInside.map(([input]) => input),
  ].filter((input) => !/^\/?(etc-link|passwd-link|root-link)/.test(input)); // never write to the real /

  let storage: StorageRoot;
  let session: FileSession;
  let before: Record<string, string>;

  beforeEach(async () => {
    storage = await makeStorageRoot();
    await plantTraps(storage);
    session = aliceSession(storage.homesRoot);
    before = await outsideAlice(storage);
  });
  afterEach(() => storage.cleanup());

  it.each(corpus.map((p) => [JSON.stringify(p).slice(0, 60), p]))(
    'changes nothing outside the home for %s',
    async (_label, input) => {
      for (const operation of everyOperation(session, input)) {
        await codeOf(operation());
        expect(await outsideAlice(storage)).toEqual(before);
      }
    },
  );
});

function everyOperation(session: FileSession, input: string): Array<() => Promise<unknown>> {
  const upload = async (mode: 'create' | 'resume') => {
    const transfer = await session.openWrite(input, { mode });
    await transfer.write(Buffer.from('pwned'));
    await transfer.commit();
  };
  const download = async () => {
    const transfer = await session.openRead(input);
    await transfer.read(100, 0);
    await transfer.close();
  };
  return [
    () => session.stat(input),
    () => session.lstat(input),
    () => session.list(input),
    () => session.realpath(input),
    download,
    () => upload('resume'), // before 'create', which replaces a link instead of following it
    () => session.setTimes(input, new Date(0), new Date(0)),
    () => upload('create'),
    () => session.mkdir(input),
    () => session.rename('/docs/readme.txt', input, { overwrite: true }),
    () => session.rename(input, '/moved', { overwrite: true }),
    () => session.remove(input),
    () => session.rmdir(input),
  ];
}

/** The storage root minus alice's home: bob's home and the outside folder. */
function outsideAlice(storage: StorageRoot): Promise<Record<string, string>> {
  const aliceRel = path.relative(storage.root, storage.aliceHome);
  return snapshot(storage.root, (rel) => rel === aliceRel);
}
