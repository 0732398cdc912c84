import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
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
const explicit = (p = '') => `ftp://127.0.0.1:${stack.port}/${p}`;
const curl = (args: string[]) =>
  run('curl', [
    '-sS',
    '--ssl-reqd',
    '--cacert',
    stack.ca.rootFile,
    '-u',
    'alice:alice-password',
    ...args,
  ]);

describe('curl over explicit FTPS (AUTH TLS)', () => {
  it('uploads, lists and downloads byte-identical, with the certificate verified', async () => {
    const content = randomBytes(3 * 1024 * 1024 + 11);
    await writeFile(local('up.bin'), content);
    const up = await curl(['-T', local('up.bin'), explicit('up.bin')]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(sha256(await readFile(homeOf(stack, 'alice', 'up.bin')))).toBe(sha256(content));

    const list = await curl([explicit()]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^-rw-r--r-- +1 alice +alice +3145739 \w{3} [ \d]\d \d\d:\d\d up\.bin\r?$/m,
    );

    const down = await curl(['-o', local('down.bin'), explicit('up.bin')]);
    expect(down.code).toBe(0);
    expect(sha256(await readFile(local('down.bin')))).toBe(sha256(content));
  });
});
