import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import path from 'node:path';
import { RawControl } from './raw-control';
import { startStack, type Stack } from './stack';
import { run } from '@tessera/testing';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
}, 60_000);

afterAll(async () => {
  await stack?.close();
});

const curl = (url: string, args: string[] = []) =>
  run('curl', ['-sS', '--cacert', stack.ca.rootFile, '-u', 'alice:alice-password', ...args, url]);

/** Whether a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('secure-only (ftp.plain false, ftp.explicit-tls true: the default)', () => {
  it('answers USER with 530 before TLS, so no password can be sent in clear', async () => {
    const raw = await RawControl.open(stack.port);
    try {
      expect(await raw.next()).toMatch(/^220 /);
      expect(await raw.ask('USER alice')).toMatch(/^530 connect securely \(AUTH TLS\)/);
      expect(await raw.ask('PASS alice-password')).toMatch(/^530 /);
      for (const command of ['PWD', 'LIST', 'PASV', 'RETR x', 'STOR x', 'CWD /', 'OPTS UTF8 ON']) {
        expect(await raw.ask(command)).toMatch(/^530 /);
      }
      expect(await raw.ask('NOOP')).toMatch(/^200 /);
      expect(await raw.ask('SYST')).toMatch(/^215 /);
      expect(await raw.ask('HELP')).toMatch(/^214/);
      expect(await raw.ask('PBSZ 0')).toMatch(/^503 /);
      expect(await raw.ask('PROT P')).toMatch(/^503 /);
      const feat = await raw.ask('FEAT');
      expect(feat).toMatch(/^ AUTH TLS\r?$/m);
      expect(feat).toMatch(/^ PBSZ\r?$/m);
      expect(feat).toMatch(/^ MLST type\*;size\*;modify\*;perm\*;\r?$/m);
      expect(await raw.ask('QUIT')).toMatch(/^221 /);
    } finally {
      raw.close();
    }
  });

  it('holds no password in clear on the wire of a curl session (a relay records every byte)', async () => {
    const seen: Buffer[] = [];
    const relay: Server = createServer((client) => {
      const door = connect(stack.port, '127.0.0.1');
      client.on('data', (d: Buffer) => seen.push(d));
      door.on('data', (d: Buffer) => seen.push(d));
      client.pipe(door).pipe(client);
      client.on('error', () => door.destroy());
      door.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    try {
      const port = (relay.address() as AddressInfo).port;
      const listed = await curl(`ftp://127.0.0.1:${port}/`, ['--ssl-reqd']);
      expect(listed.code).toBe(0);
      const wire = Buffer.concat(seen);
      expect(wire.includes('AUTH TLS')).toBe(true);
      expect(wire.includes('alice-password')).toBe(false);
      expect(wire.includes('USER')).toBe(false);
    } finally {
      relay.close();
    }
  });

  it('refuses data in clear after AUTH TLS: PROT C with 534, a transfer without PROT P with 522', async () => {
    const ran = await run('/usr/bin/python3', [
      path.join(__dirname, 'ftplib-client.py'),
      String(stack.port),
      stack.ca.rootFile,
      'alice',
      'alice-password',
      'clear',
      JSON.stringify([['prot_c'], ['nlst']]),
    ]);
    const [protC, nlst] = ran.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ok: boolean; error?: string });
    expect(protC).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^534 PROT C is refused/),
    });
    expect(nlst).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^522 data connections must be protected/),
    });
  });

  it('a client without TLS gets 530 (curl without --ssl-reqd)', async () => {
    const out = await curl(`ftp://127.0.0.1:${stack.port}/`);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/530|Access denied/);
  });
});

describe('live settings, no restart', () => {
  it('turning ftp.plain on lets clear FTP in; turning it off again refuses USER', async () => {
    await stack.setSettings({ 'ftp.plain': true });
    const raw = await RawControl.open(stack.port);
    try {
      await raw.next();
      expect(await raw.ask('FEAT')).toMatch(/^ AUTH TLS\r?$/m);
      expect(await raw.ask('USER alice')).toMatch(/^331 /);
      expect(await raw.ask('PASS alice-password')).toMatch(/^230 /);
    } finally {
      raw.close();
    }
    expect((await curl(`ftp://127.0.0.1:${stack.port}/`)).code).toBe(0);
    await stack.setSettings({ 'ftp.plain': false });
    expect((await curl(`ftp://127.0.0.1:${stack.port}/`)).code).not.toBe(0);
  });

  it('turning ftp.implicit-tls on opens the implicit port; with plain and explicit off, the FTP port closes', async () => {
    expect(await accepts(stack.implicitPort)).toBe(false);
    await stack.setSettings({ 'ftp.implicit-tls': true });
    const implicit = await curl(`ftps://127.0.0.1:${stack.implicitPort}/`);
    expect(implicit.stderr).toBe('');
    expect(implicit.code).toBe(0);

    await stack.setSettings({ 'ftp.explicit-tls': false });
    expect(stack.door.port).toBeNull();
    expect(await accepts(stack.port)).toBe(false);
    expect((await curl(`ftps://127.0.0.1:${stack.implicitPort}/`)).code).toBe(0);

    await stack.setSettings({ 'ftp.plain': true });
    const raw = await RawControl.open(stack.port);
    try {
      await raw.next();
      const feat = await raw.ask('FEAT');
      expect(feat).not.toMatch(/AUTH TLS/);
      expect(await raw.ask('AUTH TLS')).toMatch(/^502 /);
    } finally {
      raw.close();
    }
    await stack.setSettings({
      'ftp.plain': false,
      'ftp.explicit-tls': true,
      'ftp.implicit-tls': false,
    });
    expect(await accepts(stack.implicitPort)).toBe(false);
  });
});
