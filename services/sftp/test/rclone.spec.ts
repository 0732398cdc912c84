import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from './stack';
import { run } from '@tessera/testing';

/**
 * rclone 1.60 with its defaults (4 transfers + 8 checkers: 12 connections at once) against the
 * door. Before the per-user limit was raised to 32 it lost attempts to refused logins ("couldn't
 * initialise SFTP: EOF"); before the door answered md5sum/sha1sum it found no common hash, so
 * `check` could compare sizes only.
 */
jest.setTimeout(120_000);

let stack: Stack;
let tmp: string;
let config: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'rita', homeFolder: 'rita', password: 'rita-password-1' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-rclone-'));
  config = path.join(tmp, 'rclone.conf');
  const obscured = await run('rclone', ['obscure', 'rita-password-1']);
  await writeFile(
    config,
    [
      '[door]',
      'type = sftp',
      'host = 127.0.0.1',
      `port = ${stack.port}`,
      'user = rita',
      `pass = ${obscured.stdout.trim()}`,
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

const rclone = (...args: string[]) => run('rclone', ['--config', config, ...args]);

/** 200 files in 10 folders, a few of them empty, with names that need quoting in a shell. */
async function makeTree(root: string): Promise<void> {
  for (let folder = 0; folder < 10; folder++) {
    const dir = path.join(root, `folder ${folder}`, "it's here");
    await mkdir(dir, { recursive: true });
    for (let file = 0; file < 20; file++) {
      const size = file % 7 === 0 ? 0 : 1 + (((folder * 20 + file) * 997) % 70_000);
      await writeFile(path.join(dir, `file $${file}.bin`), randomBytes(size));
    }
  }
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('rclone with its default flags', () => {
  it('syncs a 200-file tree up, checks it by MD5 and SHA-1, and syncs it down again', async () => {
    const local = path.join(tmp, 'tree');
    await makeTree(local);
    const up = await rclone('sync', local, 'door:backup');
    expect(up).toMatchObject({ code: 0, stderr: '' });
    const check = await rclone('check', local, 'door:backup');
    expect(check.code).toBe(0);
    expect(check.stderr).toContain('200 matching files');
    expect(check.stderr).not.toContain('hashes could not be checked');
    const sums = await rclone('sha1sum', 'door:backup');
    expect(sums.stdout.trim().split('\n')).toHaveLength(200);
    const down = path.join(tmp, 'restored');
    expect(await rclone('sync', 'door:backup', down)).toMatchObject({ code: 0, stderr: '' });
    expect(await run('diff', ['-r', local, down])).toMatchObject({ code: 0, stdout: '' });
    expect(stack.log.records()).not.toContainEqual(
      expect.objectContaining({ msg: 'login over the limit' }),
    );
  });

  it('sees a file changed at the same size as different (by hash), and sync puts it right', async () => {
    const local = path.join(tmp, 'tree');
    const changed = path.join(local, 'folder 3', "it's here", 'file $5.bin');
    await writeFile(changed, randomBytes((await stat(changed)).size));
    const check = await rclone('check', local, 'door:backup');
    expect(check.code).not.toBe(0);
    expect(check.stderr).toContain('1 differences found');
    expect((await rclone('sync', local, 'door:backup')).code).toBe(0);
    expect((await rclone('check', local, 'door:backup')).code).toBe(0);
  });

  it('copies 100 MB up and down byte for byte', async () => {
    const big = path.join(tmp, 'big.bin');
    await writeFile(big, randomBytes(100 * 1024 * 1024));
    expect((await rclone('copyto', big, 'door:big.bin')).code).toBe(0);
    const back = path.join(tmp, 'big-back.bin');
    expect((await rclone('copyto', 'door:big.bin', back)).code).toBe(0);
    const expected = await sha256(big);
    expect(await sha256(path.join(stack.homes, 'rita', 'big.bin'))).toBe(expected);
    expect(await sha256(back)).toBe(expected);
  });
});
