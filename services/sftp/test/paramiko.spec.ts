import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, startTestStack, type TestStack } from '@tessera/testing';
import { usersCreate } from '@tessera/contracts';

// Debian's python3-paramiko (2.12), with Debian's own Python: .ci/run installs it.
const python = '/usr/bin/python3';
jest.setTimeout(60_000);

// jest's toEqual walks a large Buffer byte by byte (tens of seconds): compare digests instead.
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let stack: TestStack;
let port: number;
let tmp: string;

// The compiled door in its own process, as it runs in production.
beforeAll(async () => {
  port = await freePort();
  stack = await startTestStack(['user-auth', 'pki', 'sftp'], { TESSERA_SFTP_PORT: String(port) });
  const created = await stack.bus.request(usersCreate, {
    username: 'pam',
    homeFolder: 'pam',
    password: 'pam-password-1',
  });
  if (!created.ok) throw new Error(created.error.message);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-paramiko-'));
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

function paramiko(script: string, ...extra: string[]): Promise<{ code: number; output: string }> {
  const args = [path.join(__dirname, script), String(port), 'pam', 'pam-password-1', ...extra];
  return new Promise((resolve) => {
    // A hang is the failure this guards against: the timeout turns it into a result.
    execFile(python, args, { timeout: 45_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 124) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('paramiko', () => {
  it('puts and gets a 16 MB file byte for byte (its pipelined put needs replies in order)', async () => {
    const local = path.join(tmp, 'big.bin');
    const body = randomBytes(16 * 1024 * 1024 + 5);
    await writeFile(local, body);

    const result = await paramiko('paramiko-put-get.py', local);
    expect(result).toEqual({ code: 0, output: `${body.length}\n` });
    const landed = path.join(stack.env.config.paths.homes, 'pam', 'via-paramiko.bin');
    expect(sha256(await readFile(landed))).toBe(sha256(body));
    expect(sha256(await readFile(`${local}.back`))).toBe(sha256(body));
  });

  it("answers f.stat() while uploading, appends with 'a', rewrites with 'r+' and truncates", async () => {
    const result = await paramiko('paramiko-handles.py');
    expect(result.output.trim().split('\n')).toEqual([
      'stat: 10 13',
      'append: 0123456789ABC',
      'r+: 01xy 01xy456789',
      'truncate: 01',
    ]);
    expect(result.code).toBe(0);
  });
});
