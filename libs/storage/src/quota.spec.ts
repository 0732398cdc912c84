import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { HomeUsages } from './quota';
import { aliceSession, makeStorageRoot, refusal, type StorageRoot } from './spec-helpers';

let storage: StorageRoot;
let usages: HomeUsages;
beforeEach(async () => {
  storage = await makeStorageRoot();
  usages = new HomeUsages(); // each test its own count, as a fresh process would have
});
afterEach(() => storage.cleanup());

/** A session of alice with a quota of `quotaBytes`, counted in this test's usages. */
const session = (quotaBytes: number) =>
  aliceSession(storage.homesRoot, { quotaBytes, homeUsages: usages });
const at = (name: string) => path.join(storage.aliceHome, name);
const bytes = (n: number) => Buffer.alloc(n, 0x61);

async function upload(name: string, size: number, quotaBytes = 1000) {
  const transfer = await session(quotaBytes).openWrite(name, { mode: 'create' });
  try {
    await transfer.write(bytes(size));
  } catch (error) {
    await transfer.abort();
    throw error;
  }
  return transfer.commit();
}

describe('a per-user quota', () => {
  it('lets uploads fill the quota exactly, and refuses the byte past it', async () => {
    await upload('/a.bin', 600);
    await upload('/b.bin', 400);
    expect(await refusal(upload('/c.bin', 1))).toBe('quota-exceeded');
  });

  it('refuses the write that would pass it, saying so, and leaves no file under the real name', async () => {
    const transfer = await session(1000).openWrite('/big.bin', { mode: 'create' });
    await transfer.write(bytes(700));
    const refused = await transfer.write(bytes(400)).catch((error: Error) => error);
    expect(refused).toMatchObject({
      code: 'quota-exceeded',
      message: expect.stringMatching(
        /^\/big\.bin: quota exceeded: the home folder would hold more than 1000 bytes/,
      ),
    });
    expect(await refusal(transfer.commit())).toBe('io-error'); // the upload is spoilt whole
    expect(await fs.readdir(storage.aliceHome)).toEqual([]);
    // The refused upload's bytes no longer count: the whole quota is there again.
    await upload('/fits.bin', 1000);
  });

  it('counts a sparse hole as its claimed size: a byte far out is refused, by write or by truncate', async () => {
    const transfer = await session(1000).openWrite('/sparse.bin', { mode: 'create' });
    expect(await refusal(transfer.write(bytes(1), 10_000))).toBe('quota-exceeded');
    await transfer.abort();

    const grow = await session(1000).openWrite('/grow.bin', { mode: 'create' });
    expect(await refusal(grow.truncate(5000))).toBe('quota-exceeded');
    await grow.abort();

    await upload('/small.bin', 10);
    expect(await refusal(session(1000).truncate('/small.bin', 2 ** 40 - 1))).toBe('quota-exceeded');
    expect((await fs.stat(at('small.bin'))).size).toBe(10);
    await session(1000).truncate('/small.bin', 1000); // up to the quota is fine
  });

  it('counts what the home already holds, measured when a session starts', async () => {
    await fs.writeFile(at('old.bin'), bytes(800));
    await fs.mkdir(at('sub'));
    await fs.writeFile(at('sub/older.bin'), bytes(100));
    await fs.link(at('old.bin'), at('sub/hard-link.bin')); // one file, counted once
    expect(await refusal(upload('/new.bin', 101))).toBe('quota-exceeded');
    await upload('/new.bin', 100);
  });

  it('frees what a delete, a replacing upload, a replacing rename or a cut frees', async () => {
    await upload('/a.bin', 500);
    await upload('/b.bin', 500);
    await session(1000).remove('/a.bin');
    await upload('/c.bin', 300);
    await session(1000).rename('/c.bin', '/b.bin', { overwrite: true }); // 500 gone, 300 stays
    await session(1000).truncate('/b.bin', 100);
    await upload('/d.bin', 900);
    expect(await refusal(upload('/e.bin', 1))).toBe('quota-exceeded');
  });

  it('needs room for a new version beside the old one until the upload commits', async () => {
    await upload('/doc.bin', 600);
    expect(await refusal(upload('/doc.bin', 600))).toBe('quota-exceeded');
    await upload('/doc.bin', 400); // both fit side by side; the old 600 go at commit
    await upload('/other.bin', 600);
  });

  it('counts only the growth of a resumed or appended file', async () => {
    await upload('/log.txt', 900);
    const resumed = await session(1000).openWrite('/log.txt', { mode: 'resume' });
    await resumed.write(bytes(50), 850); // rewrites 50 bytes, adds none
    await resumed.write(bytes(100)); // 900 .. 1000
    expect(await refusal(resumed.write(bytes(1)))).toBe('quota-exceeded');
    await resumed.abort();
    expect((await fs.stat(at('log.txt'))).size).toBe(1000);
  });

  it('shares one count between the sessions of a process, open uploads included', async () => {
    const first = await session(1000).openWrite('/one.bin', { mode: 'create' });
    await first.write(bytes(600));
    const second = await session(1000).openWrite('/two.bin', { mode: 'create' });
    expect(await refusal(second.write(bytes(600)))).toBe('quota-exceeded');
    await second.abort();
    await first.commit();
  });

  it('sees a change made on disk by someone else at the next session', async () => {
    await upload('/mine.bin', 1000);
    await fs.rm(at('mine.bin')); // another door, or the operator
    await upload('/again.bin', 1000);
  });

  it('measures nothing and refuses nothing without a quota', async () => {
    await fs.writeFile(at('huge.bin'), bytes(5000));
    const free = aliceSession(storage.homesRoot, { homeUsages: usages });
    const transfer = await free.openWrite('/more.bin', { mode: 'create' });
    await transfer.write(bytes(1), 10_000);
    await transfer.commit();
  });
});
