import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { usersCreate } from '@tessera/contracts';
import {
  CuttableProxy,
  deleteEventStream,
  eventually,
  freePort,
  readEvents,
  startServices,
  startTestStack,
  type TestStack,
} from '@tessera/testing';

/**
 * A door killed (SIGKILL, no shutdown) with events in its spool sends them when it starts again.
 * The door runs as a process of its own and reaches NATS through a proxy this test cuts.
 */
let stack: TestStack;
let proxy: CuttableProxy;
let port: number;
jest.setTimeout(90_000);

beforeAll(async () => {
  proxy = new CuttableProxy(await freePort());
  await proxy.listen();
  port = await freePort();
  stack = await startTestStack(['user-auth', 'pki'], { TESSERA_SFTP_PORT: String(port) });
  const created = await stack.bus.request(usersCreate, {
    username: 'ivy',
    homeFolder: 'ivy',
    password: 'ivy-password',
  });
  expect(created.ok).toBe(true);
  await mkdir(path.join(stack.env.config.paths.homes, 'ivy'), { recursive: true });
}, 60_000);
afterAll(async () => {
  await deleteEventStream(stack.bus.connection, stack.bus.prefix).catch(() => undefined);
  await stack?.close();
  await proxy?.close();
});

const startDoor = () =>
  startServices(['sftp'], {
    env: stack.env.env,
    envFor: () => ({ NATS_URL: proxy.natsUrl }),
    bus: stack.bus,
  });

const spooled = async () =>
  (await readdir(path.join(stack.env.config.paths.spool, 'sftp'))).filter((f) =>
    f.endsWith('.json'),
  );

it('sends the events a killed door left in its spool when it starts again, each once', async () => {
  const first = await startDoor();
  const client = new SftpClient();
  await client.connect({ host: '127.0.0.1', port, username: 'ivy', password: 'ivy-password' });
  proxy.cutOff();
  const paths = Array.from({ length: 10 }, (_, n) => `/killed-${n}.txt`);
  for (const p of paths) await client.put(Buffer.from('x'), p);
  await client.end();
  await first.kill('sftp');
  expect(await spooled()).toHaveLength(10);

  proxy.restore();
  const second = await startDoor();
  try {
    await eventually(async () => ((await spooled()).length === 0 ? true : undefined), 30_000);
    const stored = await readEvents(stack.bus.connection, stack.bus.prefix, 'files.uploaded');
    const kept = stored.map((e) => String(e.path)).filter((p) => paths.includes(p));
    expect(kept.sort()).toEqual([...paths].sort());
  } finally {
    await second.close();
  }
});
