import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sftpBatch, type SftpLogin } from './openssh';
import { homeOf, startStack, type Stack } from './stack';

let stack: Stack;
let work: string;
let alice: SftpLogin;

beforeAll(async () => {
  stack = await startStack();
  work = await mkdtemp(path.join(os.tmpdir(), 'sftp-transfers-'));
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  alice = { port: stack.port, username: 'alice', password: 'alice-password' };
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('OpenSSH sftp in batch mode', () => {
  it('uploads, lists and downloads a file byte-identical', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 17);
    await writeFile(path.join(work, 'report.bin'), content);
    const result = await sftpBatch(alice, ['put report.bin', 'ls -l', 'get report.bin back.bin'], {
      cwd: work,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /-rw-r--r-- +1 alice +alice +3145745 \w{3} [ \d]\d \d\d:\d\d report\.bin/,
    );
    expect(sha256(await readFile(homeOf(stack, 'alice', 'report.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(path.join(work, 'back.bin')))).toBe(sha256(content));
  });
});
