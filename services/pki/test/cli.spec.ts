import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import {
  type TestDatabase,
  type TestEnvironment,
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  makeTestCa,
  openssl,
  type TestCa,
} from '@tessera/testing';
import { startPki } from '../src/start';

const bin = path.resolve(__dirname, '../../cli/bin/tessera.js');
let db: TestDatabase;
let env: TestEnvironment;
let service: INestMicroservice;
let tmp: string;
let ca: TestCa;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-cert-cli-'));
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url);
  service = await startPki(env.config, capturingLogger().logger, { hostname: 'cli.test' });
  ca = makeTestCa(tmp);
}, 60_000);

afterAll(async () => {
  await service?.close();
  await db?.drop();
  await env?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** Runs the real `tessera` executable as an operator would, against this test's pki service. */
function tessera(args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...env.env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
    child.stdin?.end('');
  });
}

describe('tessera cert and tessera hostkeys', () => {
  it('shows the first-start certificate', async () => {
    const res = await tessera(['cert', 'show']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toMatch(/subject +O=Tessera, OU=Self-signed at first start, CN=cli.test/);
    expect(res.stdout).toMatch(/kind +self-signed, made at first start/);
    expect(res.stdout).toMatch(/names +cli.test, localhost, 127.0.0.1, ::1/);
    expect(res.stdout).toMatch(/warning: This certificate is self-signed/);
  });

  it('makes a self-signed certificate from options', async () => {
    const res = await tessera([
      'cert',
      'self-signed',
      '--cn',
      'files.example.com',
      '--org',
      'Example',
      '--country',
      'de',
      '--san',
      'www.example.com,192.0.2.1',
      '--san',
      'ftp.example.com',
      '--key-type',
      'ecdsa-p256',
      '--days',
      '30',
    ]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.stdout).toMatch(/^made a self-signed certificate, now active/);
    expect(res.stdout).toMatch(
      /names +files.example.com, www.example.com, ftp.example.com, 192.0.2.1/,
    );
    const pem = (await tessera(['cert', 'show', '--pem'])).stdout;
    expect(openssl(['x509', '-noout', '-subject'], pem)).toMatch(
      /subject=C = DE, O = Example, CN = files.example.com/,
    );
  });

  it('refuses bad options with a usage exit code, naming the option', async () => {
    const res = await tessera(['cert', 'self-signed', '--cn', 'x.example', '--country', 'Germany']);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'tessera: --country: a country is a two-letter code such as US or DE\n',
    );
    const type = await tessera(['cert', 'csr', '--cn', 'x.example', '--key-type', 'dsa']);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/^tessera: --key-type: unknown key type dsa; choose from rsa-2048/);
  });

  it('makes a CSR into a file, lists it, loads the signed certificate with its chain file', async () => {
    const out = path.join(tmp, 'req.pem');
    const made = await tessera(['cert', 'csr', '--cn', 'files.example.com', '--out', out]);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toMatch(/wrote the CSR to .*req.pem/);
    const csrPem = await readFile(out, 'utf8');
    expect(openssl(['req', '-verify', '-noout'], csrPem)).toBe('');

    const pending = await tessera(['cert', 'pending']);
    const id = pending.stdout.split('\n')[1]!.split(/\s+/)[0]!;
    expect(pending.stdout).toMatch(/^ID +KEY +SUBJECT +MADE/);
    expect((await tessera(['cert', 'pending', id])).stdout.trim()).toBe(csrPem.trim());

    const leaf = path.join(tmp, 'leaf.pem');
    await writeFile(leaf, ca.sign(csrPem));
    const loaded = await tessera(['cert', 'load', '--cert', leaf, '--chain', ca.intermediateFile]);
    expect(loaded).toMatchObject({ code: 0, stderr: '' });
    expect(loaded.stdout).toMatch(`loaded: it matched pending key ${id}, now the active key`);
    expect(loaded.stdout).toMatch(/kind +issued by a certificate authority/);
    expect(loaded.stdout).toMatch(
      /chain\n {2}1\.\n {4}subject +O=Tessera Test, CN=Tessera Test Intermediate CA/,
    );
    expect((await tessera(['cert', 'pending'])).stdout.trim()).toBe('no pending keys');
  });

  it('says why a load is refused, with exit code 2', async () => {
    const keyFile = path.join(tmp, 'some.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', keyFile]);
    const res = await tessera(['cert', 'load', '--cert', keyFile]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^tessera: The certificate is a private key, not a certificate/);
  });

  it('discards a pending key', async () => {
    const made = await tessera(['--json', 'cert', 'csr', '--cn', 'later.example.com']);
    const { id } = JSON.parse(made.stdout) as { id: string };
    expect(await tessera(['cert', 'discard', id])).toMatchObject({
      code: 0,
      stdout: `discarded pending key ${id}\n`,
    });
    const again = await tessera(['cert', 'discard', id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/there is no pending CSR with id/);
  });

  it('shows and regenerates SSH host keys', async () => {
    const shown = await tessera(['hostkeys', 'show']);
    expect(shown).toMatchObject({ code: 0, stderr: '' });
    expect(shown.stdout).toMatch(/^KIND +FINGERPRINT +MADE\ned25519 +SHA256:\S+/);
    expect(shown.stdout).toMatch(/\necdsa-p256 +SHA256:/);
    expect(shown.stdout).toMatch(/\nrsa-3072 +SHA256:/);
    const publicLines = (await tessera(['hostkeys', 'show', '--public'])).stdout;
    expect(publicLines).toMatch(/^ssh-ed25519 AAAA\S+ tessera-host\necdsa-sha2-nistp256 AAAA/);

    const again = await tessera(['hostkeys', 'regenerate', '--kind', 'rsa-3072']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/regenerated rsa-3072: tell your users the new fingerprints/);
    const rsa = (s: string) => s.split('\n').find((l) => l.startsWith('rsa-3072'));
    expect(rsa(again.stdout)).not.toBe(rsa(shown.stdout));
  });
});
