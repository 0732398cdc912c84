import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { filesDownloaded, type Privilege } from '@tessera/contracts';
import { maxReadLength } from './download';
import {
  aliceSession,
  everyPrivilege,
  makeStorageRoot,
  recordingSink,
  type StorageRoot,
  refusal,
} from './spec-helpers';

let storage: StorageRoot;
beforeEach(async () => {
  storage = await makeStorageRoot();
  await fs.writeFile(path.join(storage.aliceHome, 'alphabet.txt'), 'abcdefghijklmnopqrstuvwxyz');
});
afterEach(() => storage.cleanup());

async function collect(stream: Readable): Promise<{ text: string; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return { text: Buffer.concat(parts).toString(), chunks: parts.length };
}

describe('downloads', () => {
  it('reads by position, with an empty buffer at the end of the file', async () => {
    const download = await aliceSession(storage.homesRoot).openRead('/alphabet.txt');
    expect(download.size).toBe(26);
    expect((await download.read(3, 10)).toString()).toBe('klm');
    expect((await download.read(100, 20)).toString()).toBe('uvwxyz');
    expect((await download.read(10, 26)).length).toBe(0);
    await download.close();
  });

  it('never hands out more than maxReadLength in one read', async () => {
    const big = path.join(storage.aliceHome, 'big.bin');
    await fs.writeFile(big, Buffer.alloc(maxReadLength + 10));
    const download = await aliceSession(storage.homesRoot).openRead('/big.bin');
    expect((await download.read(2 ** 31, 0)).length).toBe(maxReadLength);
    await download.close();
  });

  it('streams a whole file and an inclusive range', async () => {
    const session = aliceSession(storage.homesRoot);
    const whole = await session.openRead('/alphabet.txt');
    expect((await collect(whole.stream())).text).toBe('abcdefghijklmnopqrstuvwxyz');
    const range = await session.openRead('/alphabet.txt');
    expect((await collect(range.stream({ start: 2, end: 4 }))).text).toBe('cde');
  });

  it('streams a large file in chunks instead of one buffer', async () => {
    await fs.writeFile(path.join(storage.aliceHome, 'big.bin'), Buffer.alloc(1024 * 1024, 1));
    const download = await aliceSession(storage.homesRoot).openRead('/big.bin');
    const { text, chunks } = await collect(download.stream());
    expect(text.length).toBe(1024 * 1024);
    expect(chunks).toBeGreaterThan(1);
    await download.close();
  });

  it('reports the bytes actually sent when closed, once', async () => {
    const sink = recordingSink();
    const download = await aliceSession(storage.homesRoot, {}, sink).openRead('/alphabet.txt');
    await download.read(5, 0);
    await collect(download.stream({ start: 0, end: 9 }));
    await download.close();
    await download.close();
    expect(sink.notices).toHaveLength(1);
    expect(filesDownloaded.payload.parse(sink.notices[0].event)).toMatchObject({
      path: '/alphabet.txt',
      size: 15,
      username: 'alice',
    });
  });

  it('refuses reads after close', async () => {
    const download = await aliceSession(storage.homesRoot).openRead('/alphabet.txt');
    await download.close();
    expect(await refusal(download.read(1, 0))).toBe('io-error');
  });

  it('needs download on the parent folder', async () => {
    const privileges: Privilege[] = everyPrivilege.filter((p) => p !== 'download');
    const session = aliceSession(storage.homesRoot, { privileges });
    expect(await refusal(session.openRead('/alphabet.txt'))).toBe('permission-denied');
  });

  it('refuses folders and missing files', async () => {
    await fs.mkdir(path.join(storage.aliceHome, 'docs'));
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.openRead('/docs'))).toBe('is-a-folder');
    expect(await refusal(session.openRead('/'))).toBe('is-a-folder');
    expect(await refusal(session.openRead('/missing'))).toBe('not-found');
  });

  it('refuses a FIFO planted in the home instead of hanging on it', async () => {
    execFileSync('mkfifo', [path.join(storage.aliceHome, 'pipe')]);
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.openRead('/pipe'))).toBe('io-error');
    expect((await session.stat('/pipe')).kind).toBe('other');
  });
});
