import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { ensureEventStream } from '@tessera/bus';
import { deleteEventStream, eventually, readEvents } from '@tessera/testing';
import { sftpBatch } from './openssh';
import { homeOf, startStack, type Stack } from './stack';

let stack: Stack;
let client: SftpClient;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'gail', homeFolder: 'gail', password: 'gail-password' });
  client = new SftpClient();
  await client.connect({
    host: '127.0.0.1',
    port: stack.port,
    username: 'gail',
    password: 'gail-password',
  });
}, 60_000);

afterAll(async () => {
  await client?.end();
  await stack?.close();
});

const events = (subject: string) => readEvents(stack.bus.connection, stack.bus.prefix, subject);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('file events in JetStream', () => {
  it('publishes exactly one files.uploaded per upload, with size and sha256', async () => {
    const content = randomBytes(2 * 1024 * 1024 + 99);
    await client.put(content, '/upload.bin');
    const uploaded = (await events('files.uploaded')).filter((e) => e.path === '/upload.bin');
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatchObject({
      username: 'gail',
      protocol: 'sftp',
      path: '/upload.bin',
      size: content.length,
      sha256: sha256(content),
      remoteAddress: '127.0.0.1',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      startedAt: expect.any(String),
      endedAt: expect.any(String),
    });
  });

  it('an OpenSSH sftp put (64 writes in flight) gives one event with the right sha256', async () => {
    const work = await mkdtemp(path.join(os.tmpdir(), 'sftp-events-'));
    try {
      const content = randomBytes(9 * 1024 * 1024 + 1);
      await writeFile(path.join(work, 'openssh.bin'), content);
      const login = { port: stack.port, username: 'gail', password: 'gail-password' };
      expect(await sftpBatch(login, ['put openssh.bin'], { cwd: work })).toMatchObject({ code: 0 });
      const uploaded = (await events('files.uploaded')).filter((e) => e.path === '/openssh.bin');
      expect(uploaded).toEqual([
        expect.objectContaining({ size: content.length, sha256: sha256(content) }),
      ]);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('a resumed upload reports its size and no sha256 (the earlier bytes were not seen)', async () => {
    await client.put(Buffer.from('part one, '), '/resumed.txt');
    await client.append(Buffer.from('part two'), '/resumed.txt');
    const uploaded = (await events('files.uploaded')).filter((e) => e.path === '/resumed.txt');
    expect(uploaded.map((e) => [e.size, e.sha256])).toEqual([
      [10, sha256(Buffer.from('part one, '))],
      [18, null],
    ]);
  });

  it('publishes downloads, renames, deletions and new folders', async () => {
    await client.get('/upload.bin');
    await client.mkdir('/box');
    await client.rename('/upload.bin', '/box/moved.bin');
    await client.delete('/box/moved.bin');
    expect(await events('files.downloaded')).toContainEqual(
      expect.objectContaining({ path: '/upload.bin', size: 2 * 1024 * 1024 + 99 }),
    );
    expect(await events('folders.created')).toContainEqual(
      expect.objectContaining({ path: '/box' }),
    );
    expect(await events('files.renamed')).toContainEqual(
      expect.objectContaining({ path: '/upload.bin', toPath: '/box/moved.bin' }),
    );
    expect(await events('files.deleted')).toContainEqual(
      expect.objectContaining({ path: '/box/moved.bin', username: 'gail' }),
    );
  });

  it('keeps an upload and its event when JetStream cannot take it, and sends it once it can', async () => {
    await deleteEventStream(stack.bus.connection, stack.bus.prefix);
    try {
      await client.put(Buffer.from('still here'), '/no-stream.txt');
      expect(await readFile(homeOf(stack, 'gail', 'no-stream.txt'), 'utf8')).toBe('still here');
      await eventually(() =>
        stack.log
          .records()
          .find((r) => r.msg === 'JetStream does not take events now; they wait in the spool'),
      );
    } finally {
      await ensureEventStream(stack.bus.connection, stack.bus.prefix);
    }
    const sent = await eventually(async () => {
      const found = (await events('files.uploaded')).filter((e) => e.path === '/no-stream.txt');
      return found.length ? found : undefined;
    }, 10_000);
    expect(sent).toHaveLength(1);
  });
});
