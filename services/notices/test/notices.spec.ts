import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { askHealth } from '@tessera/bus';
import {
  noticesAdd,
  noticesLog,
  noticesTest,
  settingsUpdate,
  usersCreate,
  type NoticeDelivery,
} from '@tessera/contracts';
import {
  eventually,
  freePort,
  startServices,
  startTestStack,
  type TestStack,
} from '@tessera/testing';
import { MailReceiver, WebhookReceiver } from './receivers';

/**
 * The whole path, real parts only: an upload through a real SFTP client into the SFTP door, the
 * event through JetStream, the notices service with Postgres, a real HTTP receiver and a real SMTP
 * server. Short retry settings keep the fault cases quick.
 */
const secret = 'a-webhook-secret-of-some-length';
const noticesEnv = {
  TESSERA_NOTICES_RETRY_BASE_MS: '200',
  TESSERA_NOTICES_RETRY_MAX_MS: '1000',
  TESSERA_NOTICES_POLL_MS: '100',
  TESSERA_NOTICES_TIMEOUT_MS: '2000',
  TESSERA_NOTICES_ACK_WAIT_MS: '2000',
};
let stack: TestStack;
let sftpPort: number;
const hook = new WebhookReceiver(secret);
const mail = new MailReceiver();
let client: SftpClient;
jest.setTimeout(90_000);

beforeAll(async () => {
  await Promise.all([hook.listen(), mail.listen()]);
  sftpPort = await freePort();
  stack = await startTestStack(['user-auth', 'pki', 'sftp', 'notices'], {
    TESSERA_SFTP_PORT: String(sftpPort),
    ...noticesEnv,
  });
  const smtp = await stack.bus.request(settingsUpdate, {
    changes: {
      'notices.smtp-host': '127.0.0.1',
      'notices.smtp-port': mail.port,
      'notices.smtp-security': 'none',
      'notices.mail-from': 'tessera@example.com',
    },
  });
  expect(smtp.ok).toBe(true);
  await stack.bus.request(usersCreate, {
    username: 'una',
    homeFolder: 'una',
    password: 'una-password',
  });
  await mkdir(path.join(stack.env.config.paths.homes, 'una'), { recursive: true });
  client = new SftpClient();
  await client.connect({
    host: '127.0.0.1',
    port: sftpPort,
    username: 'una',
    password: 'una-password',
  });
}, 90_000);
afterAll(async () => {
  await client?.end();
  await stack?.close();
  await Promise.all([hook.close(), mail.close()]);
});

async function addNotice(request: Parameters<typeof noticesAdd.request.parse>[0]) {
  const added = await stack.bus.request(noticesAdd, request as never);
  if (!added.ok) throw new Error(added.error.message);
  return added.value.notice;
}

const callsFor = (notice: string) => hook.calls.filter((c) => c.body.notice === notice);

async function logOf(name: string): Promise<NoticeDelivery[]> {
  const reply = await stack.bus.request(noticesLog, { name, limit: 1000 });
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value.deliveries;
}

it('an SFTP upload gives exactly one signed webhook call and one e-mail', async () => {
  await addNotice({
    name: 'arrivals',
    trigger: 'uploaded',
    scope: { kind: 'path', glob: '/first/**' },
    action: { kind: 'webhook', url: hook.url, secret },
  });
  await addNotice({
    name: 'mail',
    trigger: 'uploaded',
    scope: { kind: 'users', users: ['una'] },
    action: { kind: 'email', to: ['ops@example.com'] },
  });
  await client.mkdir('/first');
  await client.put(Buffer.from('quarterly figures\n'), '/first/q3.csv');

  await eventually(
    () => (callsFor('arrivals').length && mail.mails.length ? true : undefined),
    20_000,
  );
  await new Promise((r) => setTimeout(r, 1000)); // a second one would have come by now
  const calls = callsFor('arrivals');
  expect(calls).toHaveLength(1);
  expect(calls[0]).toMatchObject({
    signatureValid: true,
    body: {
      version: 1,
      trigger: 'uploaded',
      test: false,
      events: [expect.objectContaining({ path: '/first/q3.csv', username: 'una', size: 18 })],
    },
  });
  expect(mail.mails).toHaveLength(1);
  expect(mail.mails[0]).toMatchObject({ from: 'tessera@example.com', to: ['ops@example.com'] });
  expect(mail.mails[0]!.raw).toContain('una uploaded /first/q3.csv');
  const [line] = await logOf('arrivals');
  expect(line).toMatchObject({ status: 'delivered', attempts: 1, items: ['/first/q3.csv'] });
  expect(line!.latencyMs).toBeGreaterThanOrEqual(0);
});

it('killed mid-stream and started again, loses nothing and sends no event in two messages', async () => {
  await addNotice({
    name: 'restart',
    trigger: 'uploaded',
    scope: { kind: 'path', glob: '/restart/**' },
    action: { kind: 'webhook', url: hook.url, secret },
  });
  await client.mkdir('/restart');
  const paths = Array.from({ length: 40 }, (_, n) => `/restart/f${n}.txt`);
  for (const [n, p] of paths.entries()) {
    if (n === 15) await stack.services.kill('notices');
    await client.put(Buffer.from(p), p);
  }
  const again = await startServices(['notices'], {
    env: { ...stack.env.env },
    bus: stack.bus,
  });
  try {
    const seen = () =>
      new Set(callsFor('restart').flatMap((c) => c.body.events.map((e) => e.path)));
    await eventually(() => (seen().size === paths.length ? true : undefined), 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    // Each event in exactly one message (a retried message keeps its Tessera-Delivery id).
    const messagesOf = new Map<string, Set<string>>();
    for (const call of callsFor('restart'))
      for (const e of call.body.events) {
        const id = String(e.eventId);
        messagesOf.set(id, (messagesOf.get(id) ?? new Set()).add(call.deliveryId));
      }
    expect(messagesOf.size).toBe(paths.length);
    expect([...messagesOf.values()].every((ids) => ids.size === 1)).toBe(true);
  } finally {
    await again.close();
  }
});

describe('with the service running again', () => {
  let running: Awaited<ReturnType<typeof startServices>>;
  beforeAll(async () => {
    running = await startServices(['notices'], { env: { ...stack.env.env }, bus: stack.bus });
  });
  afterAll(() => running?.close());

  it('retries while the webhook receiver is down, and delivers once it is back', async () => {
    const late = new WebhookReceiver(secret);
    await late.listen();
    const port = late.port;
    await late.down();
    try {
      await addNotice({
        name: 'down',
        trigger: 'uploaded',
        scope: { kind: 'path', glob: '/down/**' },
        action: { kind: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret },
      });
      await client.mkdir('/down');
      await client.put(Buffer.from('x'), '/down/a.txt');
      const retried = await eventually(async () => {
        const [line] = await logOf('down');
        return line && line.attempts >= 3 ? line : undefined;
      }, 15_000);
      expect(retried).toMatchObject({
        status: 'queued',
        lastError: expect.stringContaining('cannot reach'),
      });

      await late.listen(port);
      await eventually(() => (late.calls.length ? true : undefined), 15_000);
      const [line] = await logOf('down');
      expect(line).toMatchObject({ status: 'delivered' });
      expect(line!.attempts).toBeGreaterThanOrEqual(4);
      expect(late.calls).toHaveLength(1);
      expect(late.calls[0]!.signatureValid).toBe(true);
    } finally {
      await late.close().catch(() => undefined);
    }
  });

  it('gathers the events of a batching window into one message listing every file', async () => {
    await addNotice({
      name: 'batched',
      trigger: 'uploaded',
      scope: { kind: 'path', glob: '/batch/*' },
      action: { kind: 'webhook', url: hook.url, secret },
      batchSeconds: 3,
    });
    await client.mkdir('/batch');
    // Start just after a window opens, so the five land in one (windows are aligned to the clock).
    await new Promise((r) => setTimeout(r, 3000 - (Date.now() % 3000) + 100));
    const paths = Array.from({ length: 5 }, (_, n) => `/batch/b${n}.txt`);
    for (const p of paths) await client.put(Buffer.from(p), p);
    await eventually(() => (callsFor('batched').length ? true : undefined), 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const calls = callsFor('batched');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body.events.map((e) => e.path)).toEqual(paths);
  });

  it('sends a test notice that the receiver sees marked as a test', async () => {
    const reply = await stack.bus.request(noticesTest, { name: 'arrivals' });
    expect(reply.ok).toBe(true);
    await eventually(() => callsFor('arrivals').find((c) => c.body.test));
    const [line] = await logOf('arrivals');
    expect(line).toMatchObject({ test: true, status: 'delivered' });
  });

  it('answers health.notices with its counts and the consumer lag', async () => {
    const [health] = await askHealth(stack.bus, ['notices']);
    expect(health).toMatchObject({
      answers: true,
      health: { notices: { delivered: expect.any(Number), failed: 0, consumerLag: 0 } },
    });
  });
});
