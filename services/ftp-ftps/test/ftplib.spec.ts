import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { homeOf, startStack, type Stack } from './stack';
import { readEvents, run } from '@tessera/testing';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

type Step = [string, ...string[]];
interface Outcome {
  step: string;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Runs Python's ftplib through a script of steps; one outcome per step. */
async function ftplib(steps: Step[], mode: 'reuse' | 'stock' = 'reuse'): Promise<Outcome[]> {
  const script = path.join(__dirname, 'ftplib-client.py');
  const ran = await run('/usr/bin/python3', [
    script,
    String(stack.port),
    stack.ca.rootFile,
    'alice',
    'alice-password',
    mode,
    JSON.stringify(steps),
  ]);
  if (ran.code !== 0) throw new Error(`ftplib failed (${ran.code}): ${ran.stderr}`);
  return ran.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Outcome);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const local = (name: string) => path.join(stack.work, name);
const inHome = (...parts: string[]) => homeOf(stack, 'alice', ...parts);

describe("Python's ftplib.FTP_TLS with a subclass that resumes the session", () => {
  it('uploads, lists with MLSD, resumes, downloads byte-identical, renames and deletes', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 3);
    await writeFile(local('whole.bin'), content);
    await writeFile(local('head.bin'), content.subarray(0, 700_000));
    const out = await ftplib([
      ['mkd', 'in'],
      ['cwd', 'in'],
      ['put', local('head.bin'), 'part.bin'],
      ['resume', local('whole.bin'), 'part.bin'],
      ['mlsd'],
      ['get', 'part.bin', local('back.bin')],
      ['rename', 'part.bin', 'done.bin'],
      ['size', 'done.bin'],
      ['pwd'],
      ['delete', 'done.bin'],
      ['cwd', '/'],
      ['rmd', 'in'],
    ]);
    expect(out.filter((o) => !o.ok)).toEqual([]);
    const mlsd = out.find((o) => o.step === 'mlsd')!.result as [string, Record<string, string>][];
    expect(mlsd).toEqual([
      [
        'part.bin',
        expect.objectContaining({ type: 'file', size: String(content.length), perm: 'adfrw' }),
      ],
    ]);
    expect(sha256(await readFile(local('back.bin')))).toBe(sha256(content));
    expect(out.find((o) => o.step === 'size')!.result).toBe(content.length);
    expect(out.find((o) => o.step === 'pwd')!.result).toBe('/in');
  });

  it('appends with APPE and sends files.uploaded with protocol ftps', async () => {
    await writeFile(local('a.txt'), 'one\n');
    const out = await ftplib([
      ['append', local('a.txt'), 'log.txt'],
      ['append', local('a.txt'), 'log.txt'],
    ]);
    expect(out.every((o) => o.ok)).toBe(true);
    expect(await readFile(inHome('log.txt'), 'utf8')).toBe('one\none\n');
    const events = await readEvents(stack.bus.connection, stack.bus.prefix, 'files.uploaded');
    expect(events).toContainEqual(
      expect.objectContaining({ username: 'alice', protocol: 'ftps', path: '/log.txt' }),
    );
  });

  it('aborts a download mid-transfer with ABOR: 426 for the transfer, then 226', async () => {
    await writeFile(inHome('big.bin'), randomBytes(64 * 1024 * 1024));
    const out = await ftplib([['abort-get', 'big.bin'], ['pwd']]);
    expect(out[0]).toMatchObject({
      ok: true,
      result: [expect.stringMatching(/^426/), expect.stringMatching(/^226/)],
    });
    expect(out[1]).toMatchObject({ ok: true, result: '/' });
  });

  it('refuses stock FTP_TLS (a new TLS session per data connection) with 522 while the setting is on', async () => {
    const refused = await ftplib([['nlst']], 'stock');
    expect(refused[0]).toMatchObject({ ok: false, error: expect.stringMatching(/^522 /) });
    await stack.setSettings({ 'ftp.require-tls-session-reuse': false });
    try {
      const taken = await ftplib([['nlst']], 'stock');
      expect(taken[0]).toMatchObject({ ok: true });
    } finally {
      await stack.setSettings({ 'ftp.require-tls-session-reuse': true });
    }
  });
});
