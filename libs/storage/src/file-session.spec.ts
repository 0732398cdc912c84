import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  filesDeleted,
  filesRenamed,
  foldersCreated,
  type FolderRule,
  type Privilege,
} from '@tessera/contracts';
import { NoticeError, StorageError } from './errors';
import { FileSession } from './file-session';
import type { NoticeSink } from './notices';
import {
  aliceSession,
  everyPrivilege,
  makeStorageRoot,
  recordingSink,
  type StorageRoot,
  refusal,
} from './spec-helpers';

let storage: StorageRoot;
let home: string;
beforeEach(async () => {
  storage = await makeStorageRoot();
  home = storage.aliceHome;
});
afterEach(() => storage.cleanup());

const at = (...names: string[]) => path.join(home, ...names);
const write = async (name: string, content: string) => {
  await fs.mkdir(path.dirname(at(name)), { recursive: true });
  await fs.writeFile(at(name), content);
};
const exists = (name: string) =>
  fs.lstat(at(name)).then(
    () => true,
    () => false,
  );

function without(...denied: Privilege[]): Privilege[] {
  return everyPrivilege.filter((p) => !denied.includes(p));
}

describe('FileSession home folder', () => {
  it('creates the home folder on first use', async () => {
    const session = new FileSession({
      homesRoot: storage.homesRoot,
      user: {
        username: 'carol',
        homeFolder: 'customers/carol',
        privileges: ['list'],
        folderSet: null,
      },
      protocol: 'https',
      maxFileSize: 1024,
    });
    expect(await session.list('/')).toEqual([]);
    expect((await fs.stat(path.join(storage.homesRoot, 'customers', 'carol'))).isDirectory()).toBe(
      true,
    );
  });

  it('refuses a home folder setting that climbs out of the storage root', () => {
    expect(
      () =>
        new FileSession({
          homesRoot: storage.homesRoot,
          user: { username: 'eve', homeFolder: '../eve', privileges: [], folderSet: null },
          protocol: 'ftp',
          maxFileSize: 1024,
        }),
    ).toThrow(StorageError);
  });
});

describe('FileSession stat, lstat, list and realpath', () => {
  it('describes a file with its size, times, mode and owner', async () => {
    await write('docs/a.txt', 'hello');
    const entry = await aliceSession(storage.homesRoot).stat('/docs/a.txt');
    expect(entry).toMatchObject({ name: 'a.txt', kind: 'file', size: 5, nlink: 1 });
    expect(entry.mtime.getTime()).toBeGreaterThan(0); // a Date from another realm: no instanceof
    expect(entry.mode & 0o170000).toBe(0o100000);
    expect(typeof entry.uid).toBe('number');
  });

  it('describes a link itself with lstat and its target with stat', async () => {
    await write('docs/a.txt', 'hello');
    await fs.symlink('docs/a.txt', at('shortcut'));
    const session = aliceSession(storage.homesRoot);
    expect((await session.lstat('/shortcut')).kind).toBe('symlink');
    expect(await session.stat('/shortcut')).toMatchObject({
      name: 'shortcut',
      kind: 'file',
      size: 5,
    });
  });

  it('needs list on the parent folder to stat', async () => {
    await write('docs/a.txt', 'hello');
    const session = aliceSession(storage.homesRoot, {
      rules: [{ path: '/docs', privileges: ['download'] }],
    });
    expect(await refusal(session.stat('/docs/a.txt'))).toBe('permission-denied');
    expect(await refusal(session.lstat('/docs/a.txt'))).toBe('permission-denied');
    expect((await session.stat('/docs')).kind).toBe('folder'); // "/" still allows list
  });

  it('says permission-denied, not not-found, when the privilege is missing', async () => {
    const session = aliceSession(storage.homesRoot, { privileges: [] });
    expect(await refusal(session.stat('/no-such-file'))).toBe('permission-denied');
  });

  it('lists a folder, and needs list on that folder', async () => {
    await write('docs/a.txt', 'a');
    await fs.mkdir(at('docs', 'sub'));
    const session = aliceSession(storage.homesRoot);
    const entries = await session.list('/docs');
    expect(entries.map((e) => [e.name, e.kind]).sort()).toEqual([
      ['a.txt', 'file'],
      ['sub', 'folder'],
    ]);
    const denied = aliceSession(storage.homesRoot, { rules: [{ path: '/docs', privileges: [] }] });
    expect(await refusal(denied.list('/docs'))).toBe('permission-denied');
  });

  it('hides in-progress uploads from listings', async () => {
    await write('docs/a.txt', 'a');
    const session = aliceSession(storage.homesRoot);
    const upload = await session.openWrite('/docs/b.txt', { mode: 'create' });
    await upload.write(Buffer.from('partial'));
    expect((await fs.readdir(at('docs'))).length).toBe(2); // the temporary file is there...
    expect((await session.list('/docs')).map((e) => e.name)).toEqual(['a.txt']); // ...but hidden
    await upload.abort();
  });

  it('refuses to list a file', async () => {
    await write('a.txt', 'a');
    expect(await refusal(aliceSession(storage.homesRoot).list('/a.txt'))).toBe('not-a-folder');
  });

  it('gives the canonical virtual path without needing any privilege', async () => {
    await fs.mkdir(at('docs'));
    await fs.symlink('docs', at('docs-link'));
    const session = aliceSession(storage.homesRoot, { privileges: [] });
    expect(await session.realpath('.')).toBe('/');
    expect(await session.realpath('/docs-link/new.txt')).toBe('/docs/new.txt');
    expect(await session.realpath('a/../b/')).toBe('/b');
  });
});

describe('FileSession mkdir and rmdir', () => {
  it('creates a folder and reports it', async () => {
    const sink = recordingSink();
    await aliceSession(storage.homesRoot, {}, sink).mkdir('/reports');
    expect((await fs.stat(at('reports'))).isDirectory()).toBe(true);
    expect(sink.notices).toHaveLength(1);
    expect(sink.notices[0].kind).toBe('folderCreated');
    expect(foldersCreated.payload.parse(sink.notices[0].event)).toMatchObject({
      username: 'alice',
      protocol: 'sftp',
      path: '/reports',
      remoteAddress: '192.0.2.10',
    });
  });

  it('needs create-folders on the parent folder', async () => {
    const sink = recordingSink();
    const session = aliceSession(
      storage.homesRoot,
      { privileges: without('create-folders') },
      sink,
    );
    expect(await refusal(session.mkdir('/reports'))).toBe('permission-denied');
    expect(await exists('reports')).toBe(false);
    expect(sink.notices).toEqual([]);
  });

  it('refuses an existing name and a missing parent', async () => {
    await fs.mkdir(at('reports'));
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.mkdir('/reports'))).toBe('already-exists');
    expect(await refusal(session.mkdir('/'))).toBe('already-exists');
    expect(await refusal(session.mkdir('/no/such/parent'))).toBe('not-found');
  });

  it('removes an empty folder, but not a full one, a file or the home', async () => {
    await fs.mkdir(at('empty'));
    await write('full/a.txt', 'a');
    const session = aliceSession(storage.homesRoot);
    await session.rmdir('/empty');
    expect(await exists('empty')).toBe(false);
    expect(await refusal(session.rmdir('/full'))).toBe('folder-not-empty');
    expect(await refusal(session.rmdir('/full/a.txt'))).toBe('not-a-folder');
    expect(await refusal(session.rmdir('/'))).toBe('permission-denied');
    expect(await refusal(session.rmdir('/missing'))).toBe('not-found');
  });

  it('needs delete-folders on the parent folder to remove one', async () => {
    await fs.mkdir(at('empty'));
    const session = aliceSession(storage.homesRoot, { privileges: without('delete-folders') });
    expect(await refusal(session.rmdir('/empty'))).toBe('permission-denied');
    expect(await exists('empty')).toBe(true);
  });
});

describe('FileSession remove', () => {
  it('removes a file and reports it', async () => {
    await write('a.txt', 'a');
    const sink = recordingSink();
    await aliceSession(storage.homesRoot, {}, sink).remove('a.txt');
    expect(await exists('a.txt')).toBe(false);
    expect(filesDeleted.payload.parse(sink.notices[0].event).path).toBe('/a.txt');
  });

  it('refuses folders and missing files', async () => {
    await fs.mkdir(at('docs'));
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.remove('/docs'))).toBe('is-a-folder');
    expect(await refusal(session.remove('/'))).toBe('is-a-folder');
    expect(await refusal(session.remove('/missing'))).toBe('not-found');
  });

  it('removes a link, never what it points to', async () => {
    await write('docs/a.txt', 'a');
    await fs.symlink('docs', at('docs-link'));
    await aliceSession(storage.homesRoot).remove('/docs-link');
    expect(await exists('docs-link')).toBe(false);
    expect(await exists('docs/a.txt')).toBe(true);
  });

  it('needs delete-files on the parent folder', async () => {
    await write('a.txt', 'a');
    const session = aliceSession(storage.homesRoot, { privileges: without('delete-files') });
    expect(await refusal(session.remove('/a.txt'))).toBe('permission-denied');
    expect(await exists('a.txt')).toBe(true);
  });
});

describe('FileSession rename', () => {
  it('moves a file and reports both paths', async () => {
    await write('a.txt', 'a');
    await fs.mkdir(at('docs'));
    const sink = recordingSink();
    await aliceSession(storage.homesRoot, {}, sink).rename('/a.txt', '/docs/b.txt');
    expect(await fs.readFile(at('docs', 'b.txt'), 'utf8')).toBe('a');
    expect(filesRenamed.payload.parse(sink.notices[0].event)).toMatchObject({
      path: '/a.txt',
      toPath: '/docs/b.txt',
    });
  });

  it('needs rename on the source folder and on the target folder', async () => {
    await write('in/a.txt', 'a');
    await fs.mkdir(at('out'));
    const noSource = aliceSession(storage.homesRoot, {
      rules: [{ path: '/in', privileges: without('rename') }],
    });
    expect(await refusal(noSource.rename('/in/a.txt', '/out/a.txt'))).toBe('permission-denied');
    const noTarget = aliceSession(storage.homesRoot, {
      rules: [{ path: '/out', privileges: without('rename') }],
    });
    expect(await refusal(noTarget.rename('/in/a.txt', '/out/a.txt'))).toBe('permission-denied');
    expect(await exists('in/a.txt')).toBe(true);
  });

  it('replaces an existing target only when asked and allowed to overwrite', async () => {
    await write('a.txt', 'new');
    await write('b.txt', 'old');
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.rename('/a.txt', '/b.txt'))).toBe('already-exists');
    const noOverwrite = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    expect(await refusal(noOverwrite.rename('/a.txt', '/b.txt', { overwrite: true }))).toBe(
      'permission-denied',
    );
    expect(await fs.readFile(at('b.txt'), 'utf8')).toBe('old');
    await session.rename('/a.txt', '/b.txt', { overwrite: true });
    expect(await fs.readFile(at('b.txt'), 'utf8')).toBe('new');
    expect(await exists('a.txt')).toBe(false);
  });

  it('refuses to rename the home folder or move a folder into itself', async () => {
    await fs.mkdir(at('docs'));
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.rename('/', '/x'))).toBe('permission-denied');
    expect(await refusal(session.rename('/docs', '/'))).toBe('permission-denied');
    expect(await refusal(session.rename('/docs', '/docs/inner'))).toBe('invalid-path');
  });

  it('refuses to move a folder that has folder rules at or below it, or onto one', async () => {
    await fs.mkdir(at('team', 'private'), { recursive: true });
    await fs.mkdir(at('other'));
    const rules: FolderRule[] = [
      { path: '/team/private', privileges: [] },
      { path: '/shared', privileges: everyPrivilege },
    ];
    const session = aliceSession(storage.homesRoot, { rules });
    expect(await refusal(session.rename('/team', '/elsewhere'))).toBe('permission-denied');
    expect(await refusal(session.rename('/other', '/shared'))).toBe('permission-denied');
    await fs.symlink('.', at('here'));
    expect(await refusal(session.rename('/here/team', '/elsewhere'))).toBe('permission-denied');
    expect(await exists('team/private')).toBe(true);
  });

  it('moves a link itself, not its target', async () => {
    await write('docs/a.txt', 'a');
    await fs.symlink('docs', at('docs-link'));
    await aliceSession(storage.homesRoot).rename('/docs-link', '/renamed-link');
    expect((await fs.lstat(at('renamed-link'))).isSymbolicLink()).toBe(true);
    expect(await exists('docs/a.txt')).toBe(true);
  });
});

describe('FileSession setTimes', () => {
  const when = new Date('2020-01-02T03:04:05Z');

  it.each([['upload'], ['overwrite']] as Array<[Privilege]>)(
    'sets times with the %s privilege',
    async (privilege) => {
      await write('a.txt', 'a');
      await aliceSession(storage.homesRoot, { privileges: [privilege] }).setTimes(
        '/a.txt',
        when,
        when,
      );
      expect((await fs.stat(at('a.txt'))).mtime.toISOString()).toBe(when.toISOString());
    },
  );

  it('refuses without upload or overwrite', async () => {
    await write('a.txt', 'a');
    const session = aliceSession(storage.homesRoot, { privileges: without('upload', 'overwrite') });
    expect(await refusal(session.setTimes('/a.txt', when, when))).toBe('permission-denied');
  });
});

describe('FileSession notices', () => {
  it('keeps the file when the notice sink fails, and says so with a NoticeError', async () => {
    await write('a.txt', 'a');
    const failing: NoticeSink = {
      ...recordingSink(),
      deleted: () => Promise.reject(new Error('bus down')),
    };
    const session = aliceSession(storage.homesRoot, {}, failing);
    const error = await session.remove('/a.txt').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoticeError);
    expect((error as NoticeError).payload).toMatchObject({ path: '/a.txt' });
    expect(await exists('a.txt')).toBe(false); // the operation itself happened
  });

  it('gives every notice a fresh id and ISO start and end times', async () => {
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, {}, sink);
    await session.mkdir('/a');
    await session.mkdir('/b');
    const [a, b] = sink.notices.map((n) => foldersCreated.payload.parse(n.event));
    expect(a.eventId).not.toBe(b.eventId);
    expect(Date.parse(a.endedAt)).toBeGreaterThanOrEqual(Date.parse(a.startedAt));
  });

  it('works without a sink', async () => {
    await aliceSession(storage.homesRoot).mkdir('/quiet');
    expect(await exists('quiet')).toBe(true);
  });
});

describe('FileSession with a folder set', () => {
  const rules: FolderRule[] = [
    { path: '/inbox', privileges: ['list', 'upload'] },
    { path: '/inbox/archive', privileges: ['list', 'download'] },
  ];

  it('applies the most specific rule to each operation', async () => {
    await fs.mkdir(at('inbox', 'archive'), { recursive: true });
    await write('inbox/archive/old.txt', 'old');
    const session = aliceSession(storage.homesRoot, { privileges: ['list', 'download'], rules });
    const upload = await session.openWrite('/inbox/new.txt', { mode: 'create' });
    await upload.commit();
    expect(await refusal(session.openWrite('/new.txt', { mode: 'create' }))).toBe(
      'permission-denied',
    );
    expect(await refusal(session.openRead('/inbox/new.txt'))).toBe('permission-denied');
    expect(await refusal(session.openWrite('/inbox/archive/x', { mode: 'create' }))).toBe(
      'permission-denied',
    );
    const download = await session.openRead('/inbox/archive/old.txt');
    await download.close();
    expect(session.privilegesAt('/inbox/archive/deeper')).toEqual({
      privileges: ['list', 'download'],
      rulePath: '/inbox/archive',
    });
  });

  it('does not let a link inside the home lead around a folder rule', async () => {
    await write('readonly/a.txt', 'a');
    await fs.symlink('readonly', at('rw-link'));
    await fs.symlink('readonly/a.txt', at('file-link'));
    const session = aliceSession(storage.homesRoot, {
      rules: [{ path: '/readonly', privileges: ['list', 'download'] }],
    });
    const when = new Date(0);
    expect(await refusal(session.openWrite('/rw-link/b.txt', { mode: 'create' }))).toBe(
      'permission-denied',
    );
    expect(await refusal(session.openWrite('/file-link', { mode: 'resume' }))).toBe(
      'permission-denied',
    );
    expect(await refusal(session.setTimes('/file-link', when, when))).toBe('permission-denied');
    expect(await refusal(session.remove('/rw-link/a.txt'))).toBe('permission-denied');
    expect(await refusal(session.mkdir('/rw-link/sub'))).toBe('permission-denied');
    expect(await refusal(session.rename('/rw-link/a.txt', '/a.txt'))).toBe('permission-denied');
    expect(await exists('readonly/a.txt')).toBe(true);
    // What the rule does allow still works through the link.
    expect((await session.list('/rw-link')).map((e) => e.name)).toEqual(['a.txt']);
    await (await session.openRead('/file-link')).close();
  });
});

describe('FileSession after an account change', () => {
  it('checks the next request against the new privileges and home', async () => {
    const user = {
      username: 'alice',
      homeFolder: 'alice',
      privileges: everyPrivilege,
      folderSet: null,
    };
    const session = new FileSession({
      homesRoot: storage.homesRoot,
      user,
      protocol: 'sftp',
      maxFileSize: 1024,
    });
    await session.mkdir('/before');
    session.useUser({ ...user, privileges: without('create-folders') });
    expect(await refusal(session.mkdir('/after'))).toBe('permission-denied');
    session.useUser({ ...user, homeFolder: 'moved' });
    await session.mkdir('/elsewhere');
    expect((await fs.stat(path.join(storage.homesRoot, 'moved', 'elsewhere'))).isDirectory()).toBe(
      true,
    );
    expect(await exists('after')).toBe(false);
  });

  it('never becomes another user', () => {
    const session = aliceSession(storage.homesRoot);
    expect(() =>
      session.useUser({
        username: 'mallory',
        homeFolder: 'alice',
        privileges: [],
        folderSet: null,
      }),
    ).toThrow(/cannot become mallory/);
  });
});
