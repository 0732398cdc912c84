import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { CuttableProxy, eventually, freePort, readEvents } from '@tessera/testing';
import { homeOf, startStack, type Stack } from './stack';

/**
 * Nothing is lost between the door and JetStream: the door reaches NATS through a proxy this test
 * cuts, while user-auth, pki and the test reach it directly. Events wait in the door's spool on
 * its data volume and arrive, once each, when NATS is back.
 */
let stack: Stack;
let proxy: CuttableProxy;
const clients: SftpClient[] = [];
jest.setTimeout(90_000);

beforeAll(async () => {
  proxy = new CuttableProxy(await freePort());
  await proxy.listen();
  stack = await startStack({ doorNatsUrl: proxy.natsUrl });
  await stack.createUser({ username: 'hal', homeFolder: 'hal', password: 'hal-password' });
  await mkdir(homeOf(stack, 'hal'), { recursive: true });
}, 60_000);
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await stack?.close();
  await proxy?.close();
});

async function login(port: number): Promise<SftpClient> {
  const client = new SftpClient();
  await client.connect({ host: '127.0.0.1', port, username: 'hal', password: 'hal-password' });
  clients.push(client);
  return client;
}

/** The files.uploaded events of these paths, as stored in the stream, counted per path. */
async function uploadedCounts(paths: string[]): Promise<Map<string, number>> {
  const stored = await readEvents(stack.bus.connection, stack.bus.prefix, 'files.uploaded');
  const counts = new Map<string, number>();
  for (const event of stored) {
    const p = String(event.path);
    if (paths.includes(p)) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  return counts;
}

it('keeps the events of 100 uploads made while NATS is cut off, and stores each once when it is back', async () => {
  const client = await login(stack.port); // logging in needs user-auth, so before the cut
  proxy.cutOff();
  const paths = Array.from({ length: 100 }, (_, n) => `/cut-${n}.txt`);
  for (const p of paths) await client.put(Buffer.from(`file ${p}\n`), p);
  const spool = path.join(stack.env.config.paths.spool, 'sftp');
  expect((await readdir(spool)).filter((f) => f.endsWith('.json'))).toHaveLength(100);

  proxy.restore();
  await eventually(async () => {
    const left = (await readdir(spool)).filter((f) => f.endsWith('.json'));
    return left.length === 0 ? true : undefined;
  }, 30_000);
  const counts = await uploadedCounts(paths);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(counts.size).toBe(100);
});
