import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { homeOf, startStack, type Stack } from './stack';
import { run } from '@tessera/testing';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const local = (name: string) => path.join(stack.work, name);

/** lftp forced to TLS, verifying the certificate against the test CA (no user rc files). */
function lftp(commands: string[]) {
  const settings = [
    'set ftp:ssl-force true',
    'set ftp:ssl-protect-data true',
    'set ssl:verify-certificate true',
    `set ssl:ca-file ${stack.ca.rootFile}`,
    'set net:max-retries 1',
    'set cmd:fail-exit true',
  ];
  const script = [
    ...settings,
    `open -u alice,alice-password ftp://127.0.0.1:${stack.port}`,
    ...commands,
  ].join('; ');
  return run('lftp', ['-c', script], { env: { HOME: stack.work } });
}

describe('lftp with ftp:ssl-force and certificate verification', () => {
  it('puts, lists, resumes a cut upload with reput, gets byte-identical, renames, deletes', async () => {
    const content = randomBytes(5 * 1024 * 1024 + 1);
    await writeFile(local('big.bin'), content);
    await mkdir(homeOf(stack, 'alice'), { recursive: true });
    await writeFile(homeOf(stack, 'alice', 'cut.bin'), content.subarray(0, 1_000_000));
    const ran = await lftp([
      `lcd ${stack.work}`,
      'put big.bin',
      'reput big.bin -o cut.bin',
      'cls -l',
      'get big.bin -o back.bin',
      'mv cut.bin moved.bin',
      'rm big.bin',
      'mkdir d',
      'rmdir d',
    ]);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/big\.bin/);
    expect(sha256(await readFile(local('back.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(homeOf(stack, 'alice', 'moved.bin')))).toBe(sha256(content));
  });
});

describe('AUTH TLS with curl', () => {
  it('succeeds 200 times in 200', async () => {
    let ok = 0;
    for (let round = 0; round < 50; round++) {
      const runs = await Promise.all(
        [0, 1, 2, 3].map(() =>
          run('curl', [
            '-sS',
            '--ssl-reqd',
            '--cacert',
            stack.ca.rootFile,
            '-u',
            'alice:alice-password',
            `ftp://127.0.0.1:${stack.port}/`,
          ]),
        ),
      );
      ok += runs.filter((r) => r.code === 0).length;
    }
    expect(ok).toBe(200);
  }, 120_000);
});
