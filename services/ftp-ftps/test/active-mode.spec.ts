import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from '@tessera/testing';
import { homeOf, startStack, type Stack } from './stack';

/** PORT/EPRT: off by default; when on, only towards the client's own address. Python's ftplib. */
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

async function ftplib(steps: Step[]): Promise<Outcome[]> {
  const ran = await run('/usr/bin/python3', [
    path.join(__dirname, 'ftplib-client.py'),
    String(stack.port),
    stack.ca.rootFile,
    'alice',
    'alice-password',
    'reuse',
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

/** A listener on another loopback address: what a bounce attack would aim the server at. */
async function bystander(): Promise<{ server: Server; port: number; hits: () => number }> {
  let hits = 0;
  const server = createServer((socket) => {
    hits++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, port, hits: () => hits };
}

describe('active mode (PORT/EPRT)', () => {
  it('is refused while ftp.active-mode is off, the default', async () => {
    expect(stack.door.live['ftp.active-mode']).toBe(false);
    await writeFile(local('off.txt'), 'x');
    const [, put] = await ftplib([['active'], ['put', local('off.txt'), 'off.txt']]);
    expect(put).toMatchObject({ ok: false, error: expect.stringMatching(/^502 active mode/) });
  });

  it('when on, uploads and downloads over PROT P with the session reused', async () => {
    await stack.setSettings({ 'ftp.active-mode': true });
    const content = randomBytes(3 * 1024 * 1024 + 5);
    await writeFile(local('up.bin'), content);
    const out = await ftplib([
      ['active'],
      ['put', local('up.bin'), 'up.bin'],
      ['get', 'up.bin', local('down.bin')],
    ]);
    expect(out.map((o) => [o.step, o.ok, o.result])).toEqual([
      ['active', true, null],
      ['put', true, expect.stringMatching(/^226 /)],
      ['get', true, expect.stringMatching(/^226 /)],
    ]);
    expect(sha256(await readFile(homeOf(stack, 'alice', 'up.bin')))).toBe(sha256(content));
    expect(sha256(await readFile(local('down.bin')))).toBe(sha256(content));
  });

  it('never connects to another address, a privileged port, or after EPSV ALL', async () => {
    await stack.setSettings({ 'ftp.active-mode': true });
    const victim = await bystander();
    try {
      const high = victim.port >> 8;
      const low = victim.port & 255;
      const out = await ftplib([
        ['sendcmd', `PORT 127,0,0,2,${high},${low}`],
        ['sendcmd', `EPRT |1|127.0.0.2|${victim.port}|`],
        ['sendcmd', `EPRT |2|::1|${victim.port}|`],
        ['sendcmd', 'PORT 127,0,0,1,0,22'],
        ['sendcmd', 'PORT 127,0,0,1,300,1'],
        ['sendcmd', 'EPRT |1|127.0.0.1|'],
        ['sendcmd', 'NLST'],
        ['sendcmd', 'EPSV ALL'],
        ['sendcmd', `PORT 127,0,0,1,${high},${low}`],
      ]);
      expect(out.map((o) => (o.ok ? o.result : o.error))).toEqual([
        '501 active mode connects only to your own address',
        '501 active mode connects only to your own address',
        '501 active mode connects only to your own address',
        '501 active mode connects only to ports 1024 and up',
        expect.stringMatching(/^501 PORT h1,h2/),
        expect.stringMatching(/^501 /),
        expect.stringMatching(/^425 use PASV/),
        expect.stringMatching(/^200 EPSV ALL/),
        '503 after EPSV ALL only EPSV is taken',
      ]);
      expect(victim.hits()).toBe(0);
    } finally {
      victim.server.close();
    }
  });
});
