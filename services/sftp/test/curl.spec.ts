import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from './stack';

/**
 * curl speaks SFTP through libssh2 1.10, as PHP and many scripts do. libssh2 offers no
 * encrypt-then-MAC MAC, no GCM and no chacha20: before the door offered hmac-sha2-256/512 it
 * could not connect at all ("Unable to exchange encryption keys").
 */
// libssh2 moves data in small windows: on a loaded 2-core machine a megabyte takes seconds.
jest.setTimeout(60_000);

// jest's toEqual walks a large Buffer byte by byte (tens of seconds): compare digests instead.
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let stack: Stack;
let tmp: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'dora', homeFolder: 'dora', password: 'dora-password-1' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-curl-'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

function curl(
  args: string[],
  user = 'dora:dora-password-1',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // -k: libssh2 checks ~/.ssh/known_hosts otherwise; the door's host key is new to it.
    execFile(
      'curl',
      ['-sS', '-k', '-u', user, ...args],
      { timeout: 60_000, encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 255) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const url = (remote: string) => `sftp://127.0.0.1:${stack.port}/${remote}`;

describe('curl (libssh2) over SFTP', () => {
  it('uploads, lists and downloads a file byte for byte', async () => {
    const local = path.join(tmp, 'report.bin');
    const body = randomBytes(1024 * 1024 + 17);
    await writeFile(local, body);

    expect(await curl(['-T', local, url('report.bin')])).toMatchObject({ code: 0, stderr: '' });
    expect(sha256(await readFile(path.join(stack.homes, 'dora', 'report.bin')))).toBe(sha256(body));

    const listed = await curl([url('')]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/ 1048593 .* report\.bin$/m);

    const fetched = path.join(tmp, 'fetched.bin');
    expect((await curl(['-o', fetched, url('report.bin')])).code).toBe(0);
    expect(sha256(await readFile(fetched))).toBe(sha256(body));
  });

  it('is refused with a wrong password, and a missing file is an error', async () => {
    const wrong = await curl([url('')], 'dora:not-her-password');
    expect(wrong.code).toBe(67); // CURLE_LOGIN_DENIED
    const missing = await curl([url('nothing-here.txt')]);
    expect(missing.code).toBe(78); // CURLE_REMOTE_FILE_NOT_FOUND
  });
});
