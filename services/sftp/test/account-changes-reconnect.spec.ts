import { mkdir } from 'node:fs/promises';
import { usersUpdate } from '@tessera/contracts';
import { CuttableProxy, eventually, freePort } from '@tessera/testing';
import { openSftp, type OpenSftp } from './openssh';
import { homeOf, startStack, type Stack } from './stack';

/**
 * `users.changed` travels on core NATS: one announced while the door was cut off is lost. So the
 * door checks the accounts of its open sessions again when it reconnects. The door reaches NATS
 * through a TCP proxy this test cuts; user-auth and the test reach it directly.
 */

let stack: Stack;
let proxy: CuttableProxy;
const open: OpenSftp[] = [];
jest.setTimeout(60_000);

beforeAll(async () => {
  proxy = new CuttableProxy(await freePort());
  await proxy.listen();
  stack = await startStack({ doorNatsUrl: `nats://127.0.0.1:${proxy.port}` });
}, 60_000);
afterAll(async () => {
  await Promise.all(open.map((s) => s.close()));
  await stack?.close();
  await proxy?.close();
});

it('ends the session of a user disabled while the door was cut off from NATS, once it is back', async () => {
  await stack.createUser({ username: 'ren', homeFolder: 'ren', password: 'ren-password' });
  await mkdir(homeOf(stack, 'ren'), { recursive: true });
  const session = await openSftp({ port: stack.port, username: 'ren', password: 'ren-password' });
  open.push(session);

  proxy.cutOff();
  const disabled = await stack.bus.request(usersUpdate, { username: 'ren', enabled: false });
  expect(disabled.ok).toBe(true);
  // The announcement is gone; the session still runs while the door is cut off.
  await new Promise((r) => setTimeout(r, 500));
  expect(session.stderr()).not.toContain('Connection closed');

  proxy.restore();
  await eventually(
    () => (session.stderr().includes('Connection closed') ? true : undefined),
    15_000,
  );
  expect(
    stack.log.records().filter((r) => r.msg === 'session ended' && r.username === 'ren'),
  ).toEqual([expect.objectContaining({ reason: 'the account is disabled' })]);
});
