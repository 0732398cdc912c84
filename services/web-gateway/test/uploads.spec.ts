import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import https from 'node:https';
import { eventually, readEvents } from '@tessera/testing';
import { startStack, type Stack } from './stack';
import { WebClient } from './web-client';

let stack: Stack;
let client: WebClient;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const tus = { 'tus-resumable': '1.0.0' };
const metadata = (entries: Record<string, string>) =>
  Object.entries(entries)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  await stack.createUser({
    username: 'mallory',
    homeFolder: 'mallory',
    password: 'mallory-password',
  });
  await stack.createUser({
    username: 'reader',
    homeFolder: 'reader',
    password: 'reader-password',
    privileges: ['list', 'download'],
  });
  client = new WebClient(stack.httpsPort);
  await client.login('alice', 'alice-password');
}, 90_000);

afterAll(() => stack?.close());

async function create(as: WebClient, size: number, meta: Record<string, string>) {
  return as.send('POST', '/api/uploads', undefined, {
    ...tus,
    'upload-length': String(size),
    'upload-metadata': metadata(meta),
  });
}

/** A PATCH whose connection is dropped once `cutAfter` bytes reached the staged file. */
async function patchCut(location: string, data: Buffer, cutAfter: number, staged: string) {
  const req = https.request({
    host: '127.0.0.1',
    port: stack.httpsPort,
    method: 'PATCH',
    path: location,
    rejectUnauthorized: false,
    headers: {
      ...tus,
      origin: client.origin,
      cookie: client.cookie,
      'x-csrf-token': client.csrfToken,
      'upload-offset': '0',
      'content-type': 'application/offset+octet-stream',
    },
  });
  req.on('error', () => undefined);
  req.write(data.subarray(0, cutAfter));
  await eventually(async () => ((await stat(staged)).size >= cutAfter ? true : undefined));
  req.destroy();
}

it('resumes an upload cut at half from its offset, byte-identical, nothing seen before', async () => {
  const data = randomBytes(4 * 1024 * 1024);
  const created = await create(client, data.length, { filename: 'movie.bin', folder: '/' });
  expect(created.status).toBe(201);
  const location = created.headers.location!;
  expect(location).toMatch(/^\/api\/uploads\/[0-9a-f]{32}$/);
  const id = location.split('/').pop()!;
  const staged = `${stack.gateway.stagingRoot}/${id}`;
  await patchCut(location, data, data.length / 2, staged);
  await expect(stat(stack.home('alice', 'movie.bin'))).rejects.toThrow();
  expect(await readdir(stack.home('alice'))).toEqual([]);
  const head = await eventually(async () => {
    const answer = await client.send('HEAD', location, undefined, tus);
    return answer.status === 200 ? answer : undefined;
  });
  const offset = Number(head.headers['upload-offset']);
  expect(offset).toBeGreaterThanOrEqual(data.length / 2);
  expect(offset).toBeLessThan(data.length);
  const rest = await client.send('PATCH', location, data.subarray(offset), {
    ...tus,
    'upload-offset': String(offset),
    'content-type': 'application/offset+octet-stream',
  });
  expect(rest.status).toBe(204);
  expect(sha256(await readFile(stack.home('alice', 'movie.bin')))).toBe(sha256(data));
  await expect(stat(staged)).rejects.toThrow();
  expect(await uploadedEvent('/movie.bin')).toMatchObject({ sha256: sha256(data), complete: true });
});

async function uploadedEvent(path: string) {
  const events = await readEvents(stack.bus.connection, stack.bus.prefix, 'files.uploaded');
  return events.find((e) => e.path === path);
}

it('reports the sha256 of an upload sent in several PATCHes, hashed as the bytes came', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 5);
  const created = await create(client, data.length, { filename: 'chunks.bin', folder: '/' });
  const location = created.headers.location!;
  const chunk = 1024 * 1024;
  for (let offset = 0; offset < data.length; offset += chunk) {
    const sent = await client.send('PATCH', location, data.subarray(offset, offset + chunk), {
      ...tus,
      'upload-offset': String(offset),
      'content-type': 'application/offset+octet-stream',
    });
    expect(sent.status).toBe(204);
  }
  expect(sha256(await readFile(stack.home('alice', 'chunks.bin')))).toBe(sha256(data));
  expect(await uploadedEvent('/chunks.bin')).toMatchObject({
    sha256: sha256(data),
    size: data.length,
  });
});

it('sets the owner from the session: another user cannot see or continue the upload', async () => {
  const created = await create(client, 10, { filename: 'x.bin', owner: 'mallory' });
  const location = created.headers.location!;
  const other = new WebClient(stack.httpsPort);
  await other.login('mallory', 'mallory-password');
  expect((await other.send('HEAD', location, undefined, tus)).status).toBe(404);
  const patch = await other.send('PATCH', location, Buffer.alloc(10), {
    ...tus,
    'upload-offset': '0',
    'content-type': 'application/offset+octet-stream',
  });
  expect(patch.status).toBe(404);
  expect((await client.send('HEAD', location, undefined, tus)).status).toBe(200);
  expect((await client.send('DELETE', location, undefined, tus)).status).toBe(204);
});

it('refuses an upload where the user may not upload, in words, and partial ones are never served', async () => {
  const reader = new WebClient(stack.httpsPort);
  await reader.login('reader', 'reader-password');
  const refused = await create(reader, 10, { filename: 'a.bin', folder: '/' });
  expect(refused.status).toBe(403);
  expect(refused.body.toString()).toBe('you may not upload in /');
  const created = await create(client, 10, { filename: 'part.bin' });
  const location = created.headers.location!;
  expect((await client.send('GET', location)).status).toBe(404);
  expect((await client.send('GET', '/api/file?path=/part.bin')).status).toBe(404);
});

it('refuses an upload without a session or the CSRF token', async () => {
  const anonymous = new WebClient(stack.httpsPort);
  expect((await create(anonymous, 10, { filename: 'a.bin' })).status).toBe(401);
  const noToken = await client.send('POST', '/api/uploads', undefined, {
    ...tus,
    'upload-length': '10',
    'x-csrf-token': 'wrong',
  });
  expect(noToken.status).toBe(403);
});
