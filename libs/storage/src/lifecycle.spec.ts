// The transfer's life as a door sees it: a piped upload commits before it reports finish and
// cleans up when cut, a streamed download releases itself, and the write intents every door maps
// its verbs to.
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { filesDownloaded, filesUploaded, type Privilege } from '@tessera/contracts';
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
beforeEach(async () => {
  storage = await makeStorageRoot();
  home = storage.aliceHome;
});
afterEach(() => storage.cleanup());

const at = (...names: string[]) => path.join(home, ...names);
const read = (name: string) => fs.readFile(at(name), 'utf8');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const without = (...denied: Privilege[]) => everyPrivilege.filter((p) => !denied.includes(p));
const openFds = () => readdirSync('/proc/self/fd').length;
const tempFiles = () => readdirSync(home).filter((name) => name.startsWith('.tessera-upload-'));

describe('a piped upload', () => {
  it('is in place under its real name, and reported, when its stream finishes', async () => {
    const sink = recordingSink();
    const upload = await aliceSession(storage.homesRoot, {}, sink).openUpload('/in.bin', {
      kind: 'create',
    });
    const chunks = Array.from({ length: 20 }, (_, i) => Buffer.alloc(8192, i));
    const stream = upload.writable();
    let atFinish: { inPlace: boolean; temps: string[]; notices: number } | null = null;
    stream.on('finish', () => {
      atFinish = { inPlace: existsSync(at('in.bin')), temps: tempFiles(), notices: 0 };
      atFinish.notices = sink.notices.length;
    });
    await pipeline(Readable.from(chunks), stream);
    expect(atFinish).toEqual({ inPlace: true, temps: [], notices: 1 });
    expect(filesUploaded.payload.parse(sink.notices[0].event)).toMatchObject({
      path: '/in.bin',
      size: 20 * 8192,
      sha256: sha256(Buffer.concat(chunks)),
      complete: true,
    });
    expect(await upload.commit()).toEqual({ size: 20 * 8192, sha256: expect.any(String) });
  });

  it('leaves no temporary file and no open descriptor when its pipe is cut', async () => {
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, {}, sink);
    const before = openFds();
    const upload = await session.openUpload('/cut.bin', { kind: 'create' });
    async function* cutMidway() {
      yield Buffer.alloc(64 * 1024, 1);
      yield Buffer.alloc(64 * 1024, 2);
      throw new Error('connection reset');
    }
    const stream = upload.writable();
    await expect(pipeline(Readable.from(cutMidway()), stream)).rejects.toThrow('connection reset');
    await upload.abort(); // the stream's own abort may still be closing: this waits for it
    expect(tempFiles()).toEqual([]);
    expect(existsSync(at('cut.bin'))).toBe(false);
    expect(openFds()).toBe(before);
    expect(sink.notices).toEqual([]);
  });

  it('aborts when destroyed outright', async () => {
    const before = openFds();
    const upload = await aliceSession(storage.homesRoot).openUpload('/gone.bin', {
      kind: 'create',
    });
    const stream = upload.writable();
    stream.write(Buffer.alloc(1000, 3));
    stream.destroy();
    await new Promise((resolve) => stream.once('close', resolve));
    expect(tempFiles()).toEqual([]);
    expect(openFds()).toBe(before);
  });

  it('keeps an overwritten file whole when the new one is cut', async () => {
    await fs.writeFile(at('a.txt'), 'old content');
    const upload = await aliceSession(storage.homesRoot).openUpload('/a.txt', { kind: 'create' });
    const stream = upload.writable();
    stream.on('error', () => undefined);
    stream.write(Buffer.from('new'));
    stream.destroy(new Error('cut'));
    await new Promise((resolve) => stream.once('close', resolve));
    expect(await read('a.txt')).toBe('old content');
  });
});

describe('a streamed download', () => {
  beforeEach(() => fs.writeFile(at('alphabet.txt'), 'abcdefghijklmnopqrstuvwxyz'));

  it('releases its file and reports itself when read to the end', async () => {
    const sink = recordingSink();
    const before = openFds();
    const download = await aliceSession(storage.homesRoot, {}, sink).openRead('/alphabet.txt');
    const stream = download.stream();
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    await new Promise((resolve) => (stream.closed ? resolve(null) : stream.once('close', resolve)));
    await download.close(); // answers the close the stream made
    expect(Buffer.concat(parts).toString()).toBe('abcdefghijklmnopqrstuvwxyz');
    expect(openFds()).toBe(before);
    expect(sink.notices).toHaveLength(1);
    expect(filesDownloaded.payload.parse(sink.notices[0].event)).toMatchObject({ size: 26 });
  });

  it('releases its file and reports what went out when destroyed midway', async () => {
    await fs.writeFile(at('big.bin'), Buffer.alloc(4 * 1024 * 1024, 1));
    const sink = recordingSink();
    const before = openFds();
    const download = await aliceSession(storage.homesRoot, {}, sink).openRead('/big.bin');
    const stream = download.stream();
    await new Promise((resolve) => stream.once('data', resolve));
    stream.destroy(new Error('client went away'));
    await new Promise((resolve) => stream.once('close', resolve));
    await download.close();
    expect(openFds()).toBe(before);
    expect(sink.notices).toHaveLength(1);
    const size = filesDownloaded.payload.parse(sink.notices[0].event).size;
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('write intents, decided once for every door', () => {
  it("'create' makes a new file and replaces one only with overwrite", async () => {
    await fs.writeFile(at('old.txt'), 'old');
    const session = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    const fresh = await session.openUpload('/new.txt', { kind: 'create' });
    await fresh.write(Buffer.from('new'));
    await fresh.commit();
    expect(await read('new.txt')).toBe('new');
    expect(await refusal(session.openUpload('/old.txt', { kind: 'create' }))).toBe(
      'permission-denied',
    );
  });

  it("'create-exclusive' refuses a taken name, also to a user who may not list", async () => {
    await fs.writeFile(at('taken.txt'), 'mine');
    const session = aliceSession(storage.homesRoot, { privileges: without('list') });
    const open = session.openUpload('/taken.txt', { kind: 'create-exclusive' });
    expect(await refusal(open)).toBe('already-exists');
    expect(await read('taken.txt')).toBe('mine');
  });

  it("'overwrite' replaces an existing file whole and refuses a missing one", async () => {
    await fs.writeFile(at('long.txt'), 'a long old text');
    const session = aliceSession(storage.homesRoot);
    const upload = await session.openUpload('/long.txt', { kind: 'overwrite' });
    await upload.write(Buffer.from('short'));
    await upload.commit();
    expect(await read('long.txt')).toBe('short');
    expect(await refusal(session.openUpload('/none.txt', { kind: 'overwrite' }))).toBe('not-found');
  });

  it("'resume' writes in place from an offset, or creates a missing file when asked", async () => {
    await fs.writeFile(at('part.bin'), '0123456789');
    const session = aliceSession(storage.homesRoot);
    const resume = await session.openUpload('/part.bin', { kind: 'resume', offset: 4 });
    await resume.write(Buffer.from('xy'));
    await resume.commit();
    expect(await read('part.bin')).toBe('0123xy6789');
    expect(await refusal(session.openUpload('/none.bin', { kind: 'resume' }))).toBe('not-found');
    const created = await session.openUpload('/none.bin', { kind: 'resume', createMissing: true });
    expect(created.mode).toBe('create');
    await created.abort();
  });

  it("'resume' of a missing file needs only upload, for a user without list or append", async () => {
    const session = aliceSession(storage.homesRoot, { privileges: without('list', 'append') });
    const upload = await session.openUpload('/drop.txt', { kind: 'resume', createMissing: true });
    await upload.write(Buffer.from('dropped'), 0);
    await upload.commit();
    expect(await read('drop.txt')).toBe('dropped');
    const noWrite = aliceSession(storage.homesRoot, { privileges: without('upload', 'append') });
    const refused = noWrite.openUpload('/x.txt', { kind: 'resume', createMissing: true });
    expect(await refusal(refused)).toBe('permission-denied');
  });

  it("'append' puts '0123456789' + 'ABC' together, whatever offset the writes name", async () => {
    await fs.writeFile(at('log.txt'), '0123456789');
    const session = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    const upload = await session.openUpload('/log.txt', { kind: 'append' });
    await upload.write(Buffer.from('ABC'), 0);
    await upload.commit();
    expect(await read('log.txt')).toBe('0123456789ABC');
  });

  it("'read-write' opens the file itself", async () => {
    await fs.writeFile(at('doc.txt'), 'hello world');
    const file = await aliceSession(storage.homesRoot).openUpload('/doc.txt', {
      kind: 'read-write',
      create: false,
      exclusive: false,
      truncate: false,
      append: false,
    });
    await file.write(Buffer.from('HELLO'), 0);
    expect((await file.read(11, 0)).toString()).toBe('HELLO world');
    await file.commit();
  });
});

describe('an open upload', () => {
  it('answers its size so far (FSTAT on an upload handle)', async () => {
    const upload = await aliceSession(storage.homesRoot).openUpload('/s.bin', { kind: 'create' });
    const writes = [0, 1, 2].map((i) => upload.write(Buffer.alloc(100, i), i * 100));
    expect((await upload.stat()).size).toBe(300);
    await Promise.all(writes);
    expect((await upload.stat()).name).toBe('s.bin');
    await upload.abort();
  });

  it('takes a truncate to the size it has as nothing, also in a resume without overwrite', async () => {
    await fs.writeFile(at('keep.bin'), '0123456789');
    const session = aliceSession(storage.homesRoot, { privileges: without('overwrite') });
    const upload = await session.openUpload('/keep.bin', { kind: 'append' });
    await upload.write(Buffer.from('AB'));
    await upload.truncate(12);
    expect(await refusal(upload.truncate(5))).toBe('permission-denied');
    await upload.commit();
    expect(await read('keep.bin')).toBe('0123456789AB');
    await session.truncate('/keep.bin', 12); // by path: no change, needs no overwrite
    expect(await refusal(session.truncate('/keep.bin', 3))).toBe('permission-denied');
  });
});

describe('keeping a cut upload for a later resume (uploads.keep-partial)', () => {
  const keepingSession = (keepPartialUploads: () => boolean, sink = recordingSink()) =>
    aliceSession(storage.homesRoot, { keepPartialUploads }, sink);

  it('on: leaves what arrived under the real name, reported as incomplete', async () => {
    const sink = recordingSink();
    let keep = false;
    const upload = await keepingSession(() => keep, sink).openUpload('/big.iso', {
      kind: 'create',
    });
    await upload.write(Buffer.from('first part'));
    keep = true; // turned on while the upload ran: the setting at the cut decides
    await upload.abort();
    expect(await read('big.iso')).toBe('first part');
    expect(tempFiles()).toEqual([]);
    expect(filesUploaded.payload.parse(sink.notices[0].event)).toMatchObject({
      path: '/big.iso',
      size: 10,
      sha256: sha256('first part'),
      complete: false,
    });
  });

  it('off: leaves nothing; on: an upload cut before any byte leaves nothing either', async () => {
    for (const keep of [false, true]) {
      const sink = recordingSink();
      const upload = await keepingSession(() => keep, sink).openUpload('/x.bin', {
        kind: 'create',
      });
      if (!keep) await upload.write(Buffer.from('some'));
      await upload.abort();
      expect(readdirSync(home)).toEqual([]);
      expect(sink.notices).toEqual([]);
    }
  });

  it('a later append completes the partial file', async () => {
    const session = keepingSession(() => true);
    const first = await session.openUpload('/r.bin', { kind: 'create' });
    await first.write(Buffer.from('01234'));
    await first.abort();
    const second = await session.openUpload('/r.bin', { kind: 'append' });
    await second.write(Buffer.from('56789'), 5);
    await second.commit();
    expect(await read('r.bin')).toBe('0123456789');
  });

  it('reports a cut resume as incomplete: its bytes are in place either way', async () => {
    await fs.writeFile(at('p.bin'), 'abc');
    const sink = recordingSink();
    const upload = await keepingSession(() => false, sink).openUpload('/p.bin', {
      kind: 'append',
    });
    await upload.write(Buffer.from('def'));
    await upload.abort();
    expect(await read('p.bin')).toBe('abcdef');
    expect(sink.notices[0].event).toMatchObject({ size: 6, complete: false });
  });
});
