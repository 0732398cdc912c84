import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { Client } from 'basic-ftp';
import { pkiCertificateSelfSigned } from '@tessera/contracts';
import { eventually } from '@tessera/testing';
import { homeOf, startStack, type Stack } from './stack';

let stack: Stack;
const opened: Client[] = [];

beforeAll(async () => {
  stack = await startStack();
  await stack.createUser({ username: 'alice', homeFolder: 'alice', password: 'alice-password' });
  await stack.createUser({
    username: 'reader',
    homeFolder: 'reader',
    password: 'reader-password',
    privileges: ['list', 'download'],
  });
  await mkdir(homeOf(stack, 'reader'), { recursive: true });
}, 60_000);

afterAll(async () => {
  for (const c of opened) c.close();
  await stack?.close();
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** basic-ftp over explicit FTPS, verifying the certificate against the test CA. */
async function connect(username = 'alice'): Promise<Client> {
  const client = new Client(20_000);
  client.ftp.verbose = process.env.FTP_VERBOSE === '1'; // the dialogue, when debugging
  opened.push(client);
  await client.access({
    host: '127.0.0.1',
    port: stack.port,
    user: username,
    password: `${username}-password`,
    secure: true,
    secureOptions: { ca: await readFile(stack.ca.rootFile), servername: 'localhost' },
  });
  return client;
}

async function download(client: Client, remote: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk);
      done();
    },
  });
  await client.downloadTo(sink, remote);
  return Buffer.concat(chunks);
}

describe('basic-ftp over explicit FTPS', () => {
  it('uploads, lists (MLSD), downloads byte-identical, renames, deletes, makes and removes folders', async () => {
    const c = await connect();
    const content = randomBytes(1024 * 1024 + 9);
    await c.ensureDir('/docs');
    await c.uploadFrom(Readable.from([content]), 'r.bin');
    const listed = await c.list();
    expect(listed.map((f) => [f.name, f.size])).toEqual([['r.bin', content.length]]);
    expect(sha256(await download(c, 'r.bin'))).toBe(sha256(content));
    await c.rename('r.bin', '/final.bin');
    expect(sha256(await readFile(homeOf(stack, 'alice', 'final.bin')))).toBe(sha256(content));
    await c.remove('/final.bin');
    await c.cd('/');
    await c.removeEmptyDir('docs');
    expect(await readdir(homeOf(stack, 'alice'))).toEqual([]);
    const lastMod = await c.send('MDTM /');
    expect(lastMod.code).toBe(213);
  });

  it('refuses what the privileges do not grant, with 550 and the reason', async () => {
    await writeFile(homeOf(stack, 'reader', 'a.txt'), 'a');
    const c = await connect('reader');
    expect((await download(c, 'a.txt')).toString()).toBe('a');
    await expect(c.uploadFrom(Readable.from([Buffer.from('x')]), 'new.txt')).rejects.toThrow(
      /550 .*upload privilege is not granted/,
    );
    await expect(c.remove('a.txt')).rejects.toThrow(/550 .*delete-files/);
    await expect(c.send('MKD made')).rejects.toThrow(/550 .*create-folders/);
    await expect(c.rename('a.txt', 'b.txt')).rejects.toThrow(/550 .*rename/);
    await expect(c.appendFrom(Readable.from([Buffer.from('x')]), 'a.txt')).rejects.toThrow(/550 /);
    expect(await readFile(homeOf(stack, 'reader', 'a.txt'), 'utf8')).toBe('a');
  });

  it('keeps a client inside its home: no path leads out', async () => {
    await writeFile(homeOf(stack, 'reader', 'secret.txt'), 'reader only');
    const c = await connect();
    // Storage refuses a climb above the home (553) rather than clamping it.
    await expect(c.cd('/../../..')).rejects.toThrow(/553 .*climbs above the home folder/);
    await expect(c.cd('..')).rejects.toThrow(/553 /);
    expect(await c.pwd()).toBe('/');
    await expect(download(c, '../reader/secret.txt')).rejects.toThrow(/553 /);
    await expect(download(c, '/../../reader/secret.txt')).rejects.toThrow(/553 /);
    await expect(c.send('CWD ../reader')).rejects.toThrow(/553 /);
    await expect(download(c, '/reader/secret.txt')).rejects.toThrow(/550 /);
    await expect(c.send('DELE .tessera-upload-x')).rejects.toThrow(/553 /);
  });

  it('swaps the certificate for new connections; a session opened before keeps working', async () => {
    const before = await connect();
    await before.uploadFrom(Readable.from([Buffer.from('kept')]), 'kept.txt');
    const swapped = await stack.bus.request(pkiCertificateSelfSigned, {
      subject: { commonName: 'swapped.tessera.test' },
      keyType: 'ecdsa-p256',
      validityDays: 30,
    });
    if (!swapped.ok) throw new Error(swapped.error.message);
    const fingerprint = swapped.value.certificate.fingerprintSha256;
    // The new certificate is self-signed: seen by a client that does not verify.
    const seen = async () => {
      const c = new Client(20_000);
      opened.push(c);
      await c.access({
        host: '127.0.0.1',
        port: stack.port,
        user: 'alice',
        password: 'alice-password',
        secure: true,
        secureOptions: { rejectUnauthorized: false },
      });
      const socket = c.ftp.socket as import('node:tls').TLSSocket;
      const fp = socket.getPeerCertificate().fingerprint256.replace(/:/g, '').toLowerCase();
      c.close();
      return fp;
    };
    await eventually(async () =>
      (await seen()) === fingerprint.replace(/:/g, '').toLowerCase() ? true : undefined,
    );
    // The old session still transfers: its data connections resume its own TLS session.
    expect((await download(before, 'kept.txt')).toString()).toBe('kept');
    expect((await before.list()).map((f) => f.name)).toContain('kept.txt');
  });
});
