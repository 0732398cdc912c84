import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { askHealth } from '@tessera/bus';
import { startStack, type Stack } from './stack';
import { run } from '@tessera/testing';

/** PuTTY's psftp 0.78 (Debian's putty-tools), the client of many Windows users and scripts. */
jest.setTimeout(120_000);

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let stack: Stack;
let tmp: string;
let hostKey: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'pia', homeFolder: 'pia', password: 'pia-password-1' });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-psftp-'));
  const [sftp] = await askHealth(stack.bus, ['sftp']);
  if (!sftp?.answers || !sftp.health.hostKeyFingerprints?.[0]) throw new Error('no host key');
  hostKey = sftp.health.hostKeyFingerprints[0];
}, 60_000);

afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** Runs psftp commands in batch mode, pinned to the door's host key (psftp has no -k). */
async function psftp(commands: string[]) {
  const batch = path.join(tmp, 'batch.txt');
  await writeFile(batch, commands.join('\n') + '\n');
  const args = ['-batch', '-P', String(stack.port), '-pw', 'pia-password-1', '-hostkey', hostKey];
  return run('psftp', [...args, '-b', batch, 'pia@127.0.0.1'], { timeoutMs: 110_000 });
}

describe('psftp (PuTTY)', () => {
  it('puts and gets 20 MB byte for byte, and renames and removes', async () => {
    const body = randomBytes(20 * 1024 * 1024 + 3);
    await writeFile(path.join(tmp, 'big.bin'), body);
    const result = await psftp([
      `lcd ${tmp}`,
      'mkdir incoming',
      'put big.bin incoming/big.bin',
      'mv incoming/big.bin incoming/renamed.bin',
      'get incoming/renamed.bin back.bin',
      'ls incoming',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('renamed.bin');
    expect(sha256(await readFile(path.join(stack.homes, 'pia', 'incoming', 'renamed.bin')))).toBe(
      sha256(body),
    );
    expect(sha256(await readFile(path.join(tmp, 'back.bin')))).toBe(sha256(body));
    expect((await psftp(['rm incoming/renamed.bin', 'rmdir incoming'])).code).toBe(0);
  });

  it('puts and gets a folder tree recursively', async () => {
    const tree = path.join(tmp, 'tree');
    for (let i = 0; i < 5; i++) {
      await mkdir(path.join(tree, `sub${i}`), { recursive: true });
      await writeFile(path.join(tree, `sub${i}`, `f${i}.txt`), `file ${i}\n`);
    }
    const result = await psftp([`lcd ${tmp}`, 'put -r tree']);
    expect(result.code).toBe(0);
    const back = path.join(tmp, 'back');
    await mkdir(back);
    expect((await psftp([`lcd ${back}`, 'get -r tree'])).code).toBe(0);
    expect(await run('diff', ['-r', tree, path.join(back, 'tree')])).toMatchObject({ code: 0 });
  });
});
