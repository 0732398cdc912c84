import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type SftpClient from 'ssh2-sftp-client';
import { connectAs, startStack, type Stack } from './stack';

/**
 * Replies leave in the order their requests arrived, reads included. OpenSSH's client writes
 * read replies into the local file as they come: with replies out of order, a download cut off
 * by a kill or a dropped connection leaves holes below the file's end, and `reget` (which resumes
 * from the end) kept them as blocks of zeros. paramiko's put waits forever for a WRITE status
 * that was overtaken.
 */
let stack: Stack;
const open: SftpClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'ola', homeFolder: 'ola', password: 'ola-password' });
  await mkdir(path.join(stack.homes, 'ola'), { recursive: true });
  await writeFile(path.join(stack.homes, 'ola', 'big.bin'), randomBytes(32 * 1024 * 1024));
}, 60_000);

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  await stack?.close();
});

const block = 255 * 1024;

describe('reply order', () => {
  it('answers 64 reads in flight on one handle in the order they were asked, every round', async () => {
    const raw = (await connectAs(stack, 'ola', open)).sftp;
    const handle = await new Promise<Buffer>((resolve, reject) =>
      raw.open('/big.bin', 'r', (err, h) => (err ? reject(err) : resolve(h))),
    );
    for (let round = 0; round < 2; round++) {
      const answered: number[] = [];
      const reads = Array.from({ length: 64 }, (_, i) => {
        const buffer = Buffer.alloc(block);
        const position = (round * 64 + i) * block;
        return new Promise<void>((resolve, reject) =>
          raw.read(handle, buffer, 0, block, position, (err) => {
            if (err) return reject(err);
            answered.push(i);
            resolve();
          }),
        );
      });
      await Promise.all(reads);
      expect(answered).toEqual(Array.from({ length: 64 }, (_, i) => i));
    }
  });
});
