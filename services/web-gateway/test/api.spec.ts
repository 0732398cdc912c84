import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import {
  liveSessionsEnd,
  liveSessionsList,
  privilegeNames,
  usersUpdate,
  type ReplyOf,
  type RequestOf,
} from '@tessera/contracts';
import { eventually } from '@tessera/testing';
import { startStack, type Stack } from './stack';
import { call, WebClient } from './web-client';

let stack: Stack;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  await stack.createUser({
    username: 'reader',
    homeFolder: 'reader',
    password: 'reader-password',
    privileges: ['list', 'download'],
  });
  await mkdir(stack.home('alice', 'docs'), { recursive: true });
  await mkdir(stack.home('reader'), { recursive: true });
  await writeFile(stack.home('reader', 'notes.txt'), 'read me');
}, 90_000);

afterAll(() => stack?.close());

async function alice(): Promise<WebClient> {
  const client = new WebClient(stack.httpsPort);
  expect((await client.login('alice', 'alice-password')).status).toBe(200);
  return client;
}

describe('logging in and out', () => {
  it('sets a __Host- cookie, HttpOnly, Secure, SameSite=Strict, new at each login', async () => {
    const client = new WebClient(stack.httpsPort);
    const first = await client.login('alice', 'alice-password');
    const cookie = first.headers['set-cookie']![0]!;
    expect(cookie).toMatch(
      /^__Host-tessera=[\w-]{40,}; Path=\/; Secure; HttpOnly; SameSite=Strict$/,
    );
    const before = client.cookie;
    await client.login('alice', 'alice-password');
    expect(client.cookie).not.toBe(before);
    // The old session is gone: a planted or stolen id does not survive the next login.
    const old = await call(stack.httpsPort, 'GET', '/api/session', { headers: { cookie: before } });
    expect(old.status).toBe(401);
    expect((await client.send('GET', '/api/session')).json()).toMatchObject({ username: 'alice' });
  });

  it('answers a wrong user and a wrong password alike', async () => {
    const wrongUser = await new WebClient(stack.httpsPort).login('nobody', 'alice-password');
    const wrongPassword = await new WebClient(stack.httpsPort).login('alice', 'not-it');
    expect(wrongUser.status).toBe(401);
    expect(wrongPassword.status).toBe(401);
    expect(wrongUser.body.toString()).toBe(wrongPassword.body.toString());
    expect(wrongUser.headers['set-cookie']).toBeUndefined();
  });

  it('ends the session at logout', async () => {
    const client = await alice();
    expect((await client.send('POST', '/api/logout')).status).toBe(200);
    expect((await client.send('GET', '/api/folder?path=/')).status).toBe(401);
  });

  it('ends every session of a user at once when the account is disabled', async () => {
    const client = await alice();
    const other = await alice();
    const disabled = await stack.bus.request(usersUpdate, { username: 'alice', enabled: false });
    expect(disabled.ok).toBe(true);
    await eventually(async () =>
      (await client.send('GET', '/api/folder?path=/')).status === 401 ? true : undefined,
    );
    expect((await other.send('GET', '/api/folder?path=/')).status).toBe(401);
    await stack.bus.request(usersUpdate, { username: 'alice', enabled: true });
  });

  it('gives open sessions a changed profile (privileges cut)', async () => {
    const client = await alice();
    let n = 0;
    const mkdir = async () =>
      (await client.send('POST', '/api/mkdir', { path: `/cut-${++n}` })).status;
    await stack.bus.request(usersUpdate, { username: 'alice', privileges: ['list'] });
    await eventually(async () => ((await mkdir()) === 403 ? true : undefined));
    await stack.bus.request(usersUpdate, {
      username: 'alice',
      privileges: [...privilegeNames],
    });
    await eventually(async () => ((await mkdir()) === 200 ? true : undefined));
  });
});

describe('cross-site requests', () => {
  it('refuses an unsafe request without the CSRF token', async () => {
    const client = await alice();
    const answer = await client.send('POST', '/api/mkdir', { path: '/x' }, { 'x-csrf-token': '' });
    expect(answer.status).toBe(403);
    expect(answer.json().error).toMatch(/CSRF/);
  });

  it('refuses an unsafe request from another origin, even with the token', async () => {
    const client = await alice();
    const answer = await client.send(
      'POST',
      '/api/mkdir',
      { path: '/x' },
      { origin: 'https://evil.example' },
    );
    expect(answer.status).toBe(403);
    const login = await call(stack.httpsPort, 'POST', '/api/login', {
      body: { username: 'alice', password: 'alice-password' },
      headers: { origin: 'https://evil.example' },
    });
    expect(login.status).toBe(403);
  });

  it('sends the security headers', async () => {
    const page = await call(stack.httpsPort, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('files', () => {
  it('lists with sizes, dates and what the user may do', async () => {
    await writeFile(stack.home('alice', 'docs', 'a.txt'), 'hello');
    const client = await alice();
    const listing = (await client.send('GET', '/api/folder?path=/docs')).json<{
      entries: { name: string; kind: string; size: number; mtime: string }[];
      may: Record<string, boolean>;
    }>();
    expect(listing.entries).toEqual([
      { name: 'a.txt', kind: 'file', size: 5, mtime: expect.any(String) },
    ]);
    expect(listing.may).toMatchObject({ upload: true, rename: true, deleteFiles: true });
  });

  it('downloads whole, by range, and answers 304 when not modified', async () => {
    const data = randomBytes(100_000);
    await writeFile(stack.home('alice', 'big.bin'), data);
    const client = await alice();
    const whole = await client.send('GET', '/api/file?path=/big.bin');
    expect(whole.status).toBe(200);
    expect(sha256(whole.body)).toBe(sha256(data));
    expect(whole.headers['content-disposition']).toMatch(/attachment; filename="big.bin"/);
    const part = await client.send('GET', '/api/file?path=/big.bin', undefined, {
      range: 'bytes=1000-1999',
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 1000-1999/100000');
    expect(sha256(part.body)).toBe(sha256(data.subarray(1000, 2000)));
    const since = whole.headers['last-modified']!;
    const cached = await client.send('GET', '/api/file?path=/big.bin', undefined, {
      'if-modified-since': since,
    });
    expect(cached.status).toBe(304);
    const past = await client.send('GET', '/api/file?path=/big.bin', undefined, {
      range: 'bytes=200000-',
    });
    expect(past.status).toBe(416);
  });

  it('zips several files as a stream', async () => {
    await writeFile(stack.home('alice', 'docs', 'b.txt'), 'second');
    const client = await alice();
    const zip = await client.send('GET', '/api/zip?path=/docs&name=a.txt&name=b.txt');
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.body.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(zip.body.includes(Buffer.from('second'))).toBe(true);
  });

  it('makes folders, renames and deletes, in words', async () => {
    const client = await alice();
    expect((await client.send('POST', '/api/mkdir', { path: '/new' })).json()).toEqual({
      done: 'created folder /new',
    });
    await writeFile(stack.home('alice', 'new', 'f.txt'), 'x');
    const renamed = await client.send('POST', '/api/rename', { from: '/new', to: '/old' });
    expect(renamed.json()).toEqual({ done: 'renamed /new to /old' });
    expect((await client.send('POST', '/api/delete', { path: '/old' })).status).toBe(200);
    await expect(stat(stack.home('alice', 'old'))).rejects.toThrow();
    const missing = await client.send('POST', '/api/delete', { path: '/old' });
    expect(missing.status).toBe(404);
    const outside = await client.send('GET', '/api/folder?path=/../../etc');
    expect(outside.status).toBe(400);
  });

  it('refuses a restricted user what they may not do, in words', async () => {
    const client = new WebClient(stack.httpsPort);
    await client.login('reader', 'reader-password');
    const listing = (await client.send('GET', '/api/folder?path=/')).json<{
      may: Record<string, boolean>;
    }>();
    expect(listing.may).toMatchObject({ download: true, upload: false, deleteFiles: false });
    const refused = await client.send('POST', '/api/delete', { path: '/notes.txt' });
    expect(refused.status).toBe(403);
    expect(refused.json().error).toBe('you may not delete in /');
    expect(await readFile(stack.home('reader', 'notes.txt'), 'utf8')).toBe('read me');
  });
});

describe('HTTP', () => {
  it('redirects to the configured host with 308, or serves the app, switched live', async () => {
    const redirect = await call(stack.httpPort, 'GET', '/a/b?q=1', {
      plain: true,
      headers: { host: 'attacker.example' },
    });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`https://files.example.test:${stack.httpsPort}/a/b?q=1`);
    await stack.changeSettings({ 'web.redirect-to-https': false });
    const app = await eventually(async () => {
      const answer = await call(stack.httpPort, 'GET', '/a/b?q=1', { plain: true });
      return answer.status === 200 ? answer : undefined;
    });
    expect(app.body.toString()).toMatch(/Tessera/);
    await stack.changeSettings({ 'web.redirect-to-https': true });
    await eventually(async () =>
      (await call(stack.httpPort, 'GET', '/', { plain: true })).status === 308 ? true : undefined,
    );
  });

  it('refuses HSTS while the certificate is self-signed, and says why', async () => {
    await stack.changeSettings({ 'web.hsts': true });
    await eventually(() =>
      stack.log.records().some((l) => String(l.msg).includes('self-signed')) ? true : undefined,
    );
    const page = await call(stack.httpsPort, 'GET', '/');
    expect(page.headers['strict-transport-security']).toBeUndefined();
    await stack.changeSettings({ 'web.hsts': false });
  });
});

/** Every door's answer, as `tessera sessions` collects them. */
async function askDoors<C extends typeof liveSessionsList | typeof liveSessionsEnd>(
  contract: C,
  payload: RequestOf<C>,
): Promise<ReplyOf<C>[]> {
  const replies = await stack.bus.requestAll(contract, payload, { waitMs: 500 });
  return replies.map((r) => {
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  });
}

describe('the operator (tessera sessions)', () => {
  it('lists the web sessions (from the KV bucket) with who, from where and since when', async () => {
    await stack.createUser({ username: 'visitor', homeFolder: 'visitor', password: 'visitor-pw1' });
    await mkdir(stack.home('visitor'), { recursive: true });
    const client = new WebClient(stack.httpsPort);
    expect((await client.login('visitor', 'visitor-pw1')).status).toBe(200);
    const doors = await askDoors(liveSessionsList, {});
    const web = doors.filter((d) => d.service === 'web-gateway');
    expect(web).toHaveLength(1);
    const mine = web[0]!.sessions.filter((s) => s.username === 'visitor');
    expect(mine).toEqual([
      {
        id: expect.stringMatching(/^web-[0-9a-f]{16}$/),
        username: 'visitor',
        protocol: 'https',
        remoteAddress: '127.0.0.1',
        since: expect.any(String),
        login: { method: 'password' },
        transfers: [],
      },
    ]);
    // The id is no part of the cookie.
    expect(client.cookie).not.toContain(mine[0]!.id.slice(4));
  });

  it('ends every web session of a user at once, and only theirs', async () => {
    const visitor = new WebClient(stack.httpsPort);
    expect((await visitor.login('visitor', 'visitor-pw1')).status).toBe(200);
    const other = await alice();
    const ends = await askDoors(liveSessionsEnd, {
      username: 'visitor',
      requestedBy: 'root@console',
    });
    expect(ends).toEqual([expect.objectContaining({ service: 'web-gateway', ended: 2 })]);
    expect((await visitor.send('GET', '/api/session')).status).toBe(401);
    expect((await other.send('GET', '/api/session')).status).toBe(200);
    const doors = await askDoors(liveSessionsList, {});
    expect(doors.flatMap((d) => d.sessions).some((s) => s.username === 'visitor')).toBe(false);
    expect(stack.log.records()).toContainEqual(
      expect.objectContaining({ username: 'visitor', ended: 2, requestedBy: 'root@console' }),
    );
  });
});
