import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, startTestStack, type TestStack } from '@tessera/testing';
import { runTessera } from './run-tessera';

/** `tessera notices` against the real notices service, with a real HTTP receiver for `test`. */
jest.setTimeout(60_000);

let stack: TestStack;
let receiver: http.Server;
let url: string;
const received: string[] = [];

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  stack = await startTestStack(['user-auth', 'notices'], { TESSERA_NOTICES_POLL_MS: '100' });
});
afterAll(async () => {
  await stack?.close();
  await new Promise((r) => receiver.close(r));
});

const tessera = (...args: string[]) => runTessera(stack.env.env, args);

it('adds, lists, shows, tests, logs, updates and deletes a notice', async () => {
  const added = await tessera(
    'notices',
    'add',
    'arrivals',
    '--on',
    'uploaded',
    '--webhook',
    url,
    '--secret',
    'sixteen-or-more-chars',
    '--batch',
    '60s',
    '--path',
    '/in/**',
  );
  expect(added).toMatchObject({ code: 0 });
  expect(added.stdout).toContain('added notice arrivals');
  expect(added.stderr).toContain('plain http://');
  expect((await tessera('notices', 'list')).stdout).toMatch(
    /arrivals\s+uploaded\s+path \/in\/\*\*/,
  );
  const shown = JSON.parse((await tessera('--json', 'notices', 'show', 'arrivals')).stdout);
  expect(shown).toMatchObject({ batchSeconds: 60, action: { kind: 'webhook', url } });
  expect(JSON.stringify(shown)).not.toContain('sixteen-or-more-chars');

  expect((await tessera('notices', 'test', 'arrivals')).stdout).toContain('queued test delivery');
  await eventually(() => (received.length ? true : undefined), 10_000);
  const log = await eventually(async () => {
    const out = (await tessera('notices', 'log', 'arrivals')).stdout;
    return out.includes('delivered (test)') ? out : undefined;
  }, 10_000);
  expect(log).toContain('/tessera-test/sample.txt');

  expect((await tessera('notices', 'update', 'arrivals', '--disable')).stdout).toContain(
    '(disabled)',
  );
  expect(
    await tessera('notices', 'add', 'mail', '--on', 'uploaded', '--email', 'ops@example.com'),
  ).toMatchObject({ code: 0 });
  expect(
    await tessera('notices', 'add', 'bad', '--on', 'arrived', '--email', 'ops@example.com'),
  ).toMatchObject({
    code: 2,
    stderr: expect.stringContaining('--on'),
  });
  expect((await tessera('notices', 'delete', 'arrivals')).stdout).toBe('deleted notice arrivals\n');
  const missing = await tessera('notices', 'show', 'arrivals');
  expect(missing.code).not.toBe(0);
  expect(missing.stderr).toBe('tessera: no notice named arrivals\n');
});
