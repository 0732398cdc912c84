import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filesUploaded, type Privilege } from '@tessera/contracts';
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
const read = (name: string) => fs.readFile(at(name), 'utf8');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const without = (...denied: Privilege[]) => everyPrivilege.filter((p) => !denied.includes(p));

describe('creating uploads', () => {
  it('writes to a temporary name and renames into place on commit', async () => {
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, {}, sink);
    const upload = await session.openWrite('/report.pdf', { mode: 'create' });
    await upload.write(Buffer.from('hello '));
    await upload.write(Buffer.from('world'));
    expect(await fs.readdir(home)).toEqual([
      expect.stringMatching(/^\.tessera-upload-[0-9a-f]{24}$/),
    ]);

    const result = await upload.commit();

    expect(result).toEqual({ size: 11, sha256: sha256('hello world') });
    expect(await fs.readdir(home)).toEqual(['report.pdf']);
    expect(await read('report.pdf')).toBe('hello world');
    expect(filesUploaded.payload.parse(sink.notices[0].event)).toMatchObject({
      username: 'alice',
      protocol: 'sftp',
      path: '/report.pdf',
      size: 11,
      sha256: sha256('hello world'),
    });
  });

  it('leaves no file at all when the transfer is cut', async () => {
    const sink = recordingSink();
    const upload = await aliceSession(storage.homesRoot, {}, sink).openWrite('/cut.bin', {
      mode: 'create',
    });
    await upload.write(Buffer.alloc(1000, 1));
    await upload.abort();
    expect(await fs.readdir(home)).toEqual([]);
    expect(sink.notices).toEqual([]);
  });

  it('keeps the old file intact until an overwrite commits', async () => {
    await fs.writeFile(at('a.txt'), 'old content');
    const session = aliceSession(storage.homesRoot);
    const cut = await session.openWrite('/a.txt', { mode: 'create' });
    await cut.write(Buffer.from('new'));
    expect(await read('a.txt')).toBe('old content');
    await cut.abort();
    expect(await read('a.txt')).toBe('old content');

    const upload = await session.openWrite('/a.txt', { mode: 'create' });
    await upload.write(Buffer.from('new'));
    await upload.commit();
    expect(await read('a.txt')).toBe('new');
  });

  it('hashes out-of-order positional writes correctly', async () => {
    const content = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    const upload = await aliceSession(storage.homesRoot).openWrite('/shuffled', { mode: 'create' });
    await upload.write(content.subarray(20), 20);
    await upload.write(content.subarray(0, 10), 0);
    await upload.write(content.subarray(10, 20), 10);
    const result = await upload.commit();
    expect(await fs.readFile(at('shuffled'))).toEqual(content);
    expect(result).toEqual({ size: content.length, sha256: sha256(content) });
  });

  it('waits for writes still under way before committing', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(4096, i));
    const upload = await aliceSession(storage.homesRoot).openWrite('/many', { mode: 'create' });
    // SFTP clients keep several writes in flight: issue them all without waiting.
    const writes = chunks.map((chunk, i) => upload.write(chunk, i * 4096));
    const result = await upload.commit();
    await Promise.all(writes);
    expect(result.sha256).toBe(sha256(Buffer.concat(chunks)));
  });

  it('accepts a piped stream and hashes it while it streams', async () => {
    const chunks = Array.from({ length: 200 }, (_, i) => Buffer.alloc(16 * 1024, i % 251));
    const upload = await aliceSession(storage.homesRoot).openWrite('/piped', { mode: 'create' });
    await pipeline(Readable.from(chunks), upload.writable());
    const result = await upload.commit();
    expect(result).toEqual({ size: 200 * 16 * 1024, sha256: sha256(Buffer.concat(chunks)) });
  });

  it('applies backpressure: a piped chunk is on disk before the next one is taken', async () => {
    const upload = await aliceSession(storage.homesRoot).openWrite('/slow', { mode: 'create' });
    const write = upload.write.bind(upload);
    let inFlight = 0;
    let mostInFlight = 0;
    upload.write = async (chunk: Buffer, position?: number) => {
      mostInFlight = Math.max(mostInFlight, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      await write(chunk, position);
      inFlight--;
    };
    const chunks = Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 7));
    await pipeline(Readable.from(chunks), upload.writable());
    await upload.commit();
    expect(mostInFlight).toBe(1);
    expect((await fs.stat(at('slow'))).size).toBe(20 * 64 * 1024);
  });

  it('commits an empty upload as an empty file', async () => {
    const upload = await aliceSession(storage.homesRoot).openWrite('/empty', { mode: 'create' });
    expect(await upload.commit()).toEqual({ size: 0, sha256: sha256('') });
    expect(await read('empty')).toBe('');
  });

  it('needs upload, and overwrite to replace an existing file', async () => {
    await fs.writeFile(at('exists.txt'), 'x');
    const noUpload = aliceSession(storage.homesRoot, { privileges: without('upload') });
    expect(await refusal(noUpload.openWrite('/new.txt', { mode: 'create' }))).toBe(
      'permission-denied',
    );
    const noOverwrite = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    expect(await refusal(noOverwrite.openWrite('/exists.txt', { mode: 'create' }))).toBe(
      'permission-denied',
    );
    expect(await fs.readdir(home)).toEqual(['exists.txt']);
  });

  it('refuses at commit when someone else created the file meanwhile and overwrite is not granted', async () => {
    const session = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    const upload = await session.openWrite('/race.txt', { mode: 'create' });
    await upload.write(Buffer.from('mine'));
    await fs.writeFile(at('race.txt'), 'theirs');
    expect(await refusal(upload.commit())).toBe('permission-denied');
    expect(await read('race.txt')).toBe('theirs');
    expect(await fs.readdir(home)).toEqual(['race.txt']); // temporary file gone
  });

  it('refuses to upload over a folder, or into a missing folder', async () => {
    await fs.mkdir(at('docs'));
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.openWrite('/docs', { mode: 'create' }))).toBe('is-a-folder');
    expect(await refusal(session.openWrite('/', { mode: 'create' }))).toBe('is-a-folder');
    expect(await refusal(session.openWrite('/missing/a.txt', { mode: 'create' }))).toBe(
      'not-found',
    );
  });

  it('replaces a link at the target name instead of writing through it', async () => {
    await fs.writeFile(at('real.txt'), 'real');
    await fs.symlink('real.txt', at('link.txt'));
    const upload = await aliceSession(storage.homesRoot).openWrite('/link.txt', { mode: 'create' });
    await upload.write(Buffer.from('new'));
    await upload.commit();
    expect((await fs.lstat(at('link.txt'))).isFile()).toBe(true);
    expect(await read('real.txt')).toBe('real');
  });

  it('refuses writes after commit or abort; a second commit answers the first', async () => {
    const upload = await aliceSession(storage.homesRoot).openWrite('/done', { mode: 'create' });
    const result = await upload.commit();
    expect(await refusal(upload.write(Buffer.from('late')))).toBe('io-error');
    expect(await upload.commit()).toEqual(result); // a piped upload has committed itself
    await upload.abort(); // harmless after commit
    expect(await read('done')).toBe('');
  });
});

describe('resuming uploads', () => {
  it('appends in place at the end of the partial file', async () => {
    await fs.writeFile(at('big.iso'), 'first half|');
    const sink = recordingSink();
    const upload = await aliceSession(storage.homesRoot, {}, sink).openWrite('/big.iso', {
      mode: 'resume',
    });
    await upload.write(Buffer.from('second half'));
    expect(await read('big.iso')).toBe('first half|second half'); // in place, no temporary file
    expect(await upload.commit()).toEqual({ size: 22, sha256: null });
    expect(filesUploaded.payload.parse(sink.notices[0].event)).toMatchObject({
      size: 22,
      sha256: null,
    });
  });

  it('keeps what was written when a resume is cut', async () => {
    await fs.writeFile(at('big.iso'), 'part one|');
    const upload = await aliceSession(storage.homesRoot).openWrite('/big.iso', { mode: 'resume' });
    await upload.write(Buffer.from('part two'));
    await upload.abort();
    expect(await read('big.iso')).toBe('part one|part two');
  });

  it('writes from a given offset (REST + STOR) with the overwrite privilege', async () => {
    await fs.writeFile(at('f'), 'abcdefgh');
    const upload = await aliceSession(storage.homesRoot).openWrite('/f', {
      mode: 'resume',
      offset: 4,
    });
    await upload.write(Buffer.from('XY'));
    await upload.commit();
    expect(await read('f')).toBe('abcdXYgh');
  });

  it('needs append, and overwrite to write below the current end', async () => {
    await fs.writeFile(at('f'), 'abcdefgh');
    const noAppend = aliceSession(storage.homesRoot, { privileges: without('append') });
    expect(await refusal(noAppend.openWrite('/f', { mode: 'resume' }))).toBe('permission-denied');
    const appendOnly = aliceSession(storage.homesRoot, { privileges: ['append'] });
    expect(await refusal(appendOnly.openWrite('/f', { mode: 'resume', offset: 2 }))).toBe(
      'permission-denied',
    );
    const upload = await appendOnly.openWrite('/f', { mode: 'resume' });
    expect(await refusal(upload.write(Buffer.from('!'), 0))).toBe('permission-denied');
    await upload.write(Buffer.from('ij'), 8);
    await upload.commit();
    expect(await read('f')).toBe('abcdefghij');
  });

  it('refuses to resume a file that is not there', async () => {
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.openWrite('/missing', { mode: 'resume' }))).toBe('not-found');
  });

  it('refuses to resume a folder or a bad offset', async () => {
    await fs.mkdir(at('docs'));
    await fs.writeFile(at('f'), 'x');
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.openWrite('/docs', { mode: 'resume' }))).toBe('is-a-folder');
    expect(await refusal(session.openWrite('/f', { mode: 'resume', offset: -1 }))).toBe('io-error');
  });
});

describe('what one upload may cost', () => {
  it('refuses a write past the limit per file at once, and then commits nothing', async () => {
    const session = aliceSession(storage.homesRoot, { maxFileSize: 1000 });
    const upload = await session.openWrite('/huge.bin', { mode: 'create' });
    await upload.write(Buffer.alloc(1000, 1));
    const refused = upload.write(Buffer.from('x'), 2 ** 40);
    await expect(refused).rejects.toThrow(/larger than the limit per file \(1000 bytes\)/);
    expect(await refusal(refused)).toBe('too-large');
    expect(await refusal(upload.commit())).toBe('io-error'); // the upload is incomplete
    expect(await fs.readdir(home)).toEqual([]);
  });

  it('hashes within what was received: a far-out write commits at once, with no sha256', async () => {
    const upload = await aliceSession(storage.homesRoot).openWrite('/sparse.bin', {
      mode: 'create',
    });
    await upload.write(Buffer.from('head'), 0);
    await upload.write(Buffer.from('x'), 2 ** 36); // 64 GiB of holes: reading them back takes minutes
    const started = Date.now();
    expect(await upload.commit()).toEqual({ size: 2 ** 36 + 1, sha256: null });
    expect(Date.now() - started).toBeLessThan(2000);
  }, 10_000);

  it('refuses to truncate past the limit per file', async () => {
    await fs.writeFile(at('f'), 'abc');
    const session = aliceSession(storage.homesRoot, { maxFileSize: 10 });
    expect(await refusal(session.truncate('/f', 11))).toBe('too-large');
  });
});

describe('exclusive creates', () => {
  it('refuses an existing name at open, even to a user who may not list', async () => {
    await fs.writeFile(at('keep.txt'), 'original');
    const session = aliceSession(storage.homesRoot, { privileges: ['upload', 'overwrite'] });
    expect(await refusal(session.openWrite('/keep.txt', { mode: 'create', exclusive: true }))).toBe(
      'already-exists',
    );
    expect(await read('keep.txt')).toBe('original');
  });

  it('of two racing exclusive creates only the first to commit lands', async () => {
    const session = aliceSession(storage.homesRoot);
    const first = await session.openWrite('/once.txt', { mode: 'create', exclusive: true });
    const second = await session.openWrite('/once.txt', { mode: 'create', exclusive: true });
    await first.write(Buffer.from('first'));
    await second.write(Buffer.from('second'));
    await first.commit();
    expect(await refusal(second.commit())).toBe('already-exists');
    expect(await fs.readdir(home)).toEqual(['once.txt']);
    expect(await read('once.txt')).toBe('first');
  });
});

describe('appending', () => {
  it('puts every write at the end, whatever position it names, needing no overwrite', async () => {
    await fs.writeFile(at('log.txt'), 'start-');
    const session = aliceSession(storage.homesRoot, { privileges: ['append'] });
    const upload = await session.openWrite('/log.txt', { mode: 'resume', append: true });
    await Promise.all([upload.write(Buffer.from('one-'), 0), upload.write(Buffer.from('two'), 0)]);
    expect(await refusal(upload.truncate(0))).toBe('permission-denied'); // cutting is overwriting
    await upload.commit();
    expect(await read('log.txt')).toBe('start-one-two');
  });

  it('appends to a new upload from its start, and hashes it', async () => {
    const upload = await aliceSession(storage.homesRoot).openWrite('/new.txt', {
      mode: 'create',
      append: true,
    });
    await upload.write(Buffer.from('ab'), 7);
    await upload.write(Buffer.from('cd'), 0);
    expect(await upload.commit()).toEqual({ size: 4, sha256: sha256('abcd') });
  });
});

describe('truncating', () => {
  it('cuts a file by path with the overwrite privilege only', async () => {
    await fs.writeFile(at('f'), '0123456789');
    const keeper = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    expect(await refusal(keeper.truncate('/f', 4))).toBe('permission-denied');
    await aliceSession(storage.homesRoot).truncate('/f', 4);
    expect(await read('f')).toBe('0123');
  });

  it('cuts the stale tail of a file rewritten in place', async () => {
    await fs.writeFile(at('f'), '0123456789');
    const upload = await aliceSession(storage.homesRoot).openWrite('/f', {
      mode: 'resume',
      offset: 0,
    });
    await upload.write(Buffer.from('abc'));
    await upload.truncate(3);
    expect(await upload.commit()).toEqual({ size: 3, sha256: sha256('abc') });
    expect(await read('f')).toBe('abc');
  });

  it('does not cut below the bytes a resume without overwrite may not touch', async () => {
    await fs.writeFile(at('f'), '0123456789');
    const session = aliceSession(storage.homesRoot, { privileges: ['append'] });
    const upload = await session.openWrite('/f', { mode: 'resume' });
    expect(await refusal(upload.truncate(3))).toBe('permission-denied');
    await upload.abort();
    expect(await read('f')).toBe('0123456789');
  });
});

describe('read-write opens', () => {
  it('reads and writes the file in place, and reports it once changed', async () => {
    await fs.writeFile(at('both.txt'), 'hello world');
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, {}, sink);
    const file = await session.openReadWrite('/both.txt', {
      create: false,
      exclusive: false,
      truncate: false,
      append: false,
    });
    expect((await file.read(5, 0)).toString()).toBe('hello');
    await file.write(Buffer.from('HELLO'), 0);
    expect((await file.read(100, 0)).toString()).toBe('HELLO world');
    await file.commit();
    expect(await read('both.txt')).toBe('HELLO world');
    expect(sink.notices.map((n) => n.kind)).toEqual(['uploaded']);

    const onlyRead = await session.openReadWrite('/both.txt', {
      create: false,
      exclusive: false,
      truncate: false,
      append: false,
    });
    await onlyRead.read(5, 0);
    await onlyRead.commit();
    expect(sink.notices).toHaveLength(1);
  });

  it('needs download, and overwrite for an existing file or upload for a new one', async () => {
    await fs.writeFile(at('a.txt'), 'a');
    const plain = { create: true, exclusive: false, truncate: false, append: false };
    const noDownload = aliceSession(storage.homesRoot, { privileges: without('download') });
    expect(await refusal(noDownload.openReadWrite('/a.txt', plain))).toBe('permission-denied');
    const noOverwrite = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    expect(await refusal(noOverwrite.openReadWrite('/a.txt', plain))).toBe('permission-denied');
    const noUpload = aliceSession(storage.homesRoot, { privileges: without('upload') });
    expect(await refusal(noUpload.openReadWrite('/b.txt', plain))).toBe('permission-denied');
    const created = await noOverwrite.openReadWrite('/b.txt', plain);
    await created.write(Buffer.from('b'), 0);
    expect(await created.commit()).toEqual({ size: 1, sha256: sha256('b') });
  });

  it('creates exclusively with O_EXCL, and truncates on request', async () => {
    await fs.writeFile(at('a.txt'), 'old content');
    const session = aliceSession(storage.homesRoot);
    const flags = { create: true, exclusive: true, truncate: false, append: false };
    expect(await refusal(session.openReadWrite('/a.txt', flags))).toBe('already-exists');
    const cut = await session.openReadWrite('/a.txt', {
      ...flags,
      exclusive: false,
      truncate: true,
    });
    await cut.write(Buffer.from('new'), 0);
    await cut.commit();
    expect(await read('a.txt')).toBe('new');
  });
});
