import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { INestMicroservice } from '@nestjs/common';
import { Client } from 'pg';
import { utils as sshUtils } from 'ssh2';
import { execFileSync } from 'node:child_process';
import type { BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import {
  pkiCertificateActivated,
  pkiCertificateLoad,
  pkiCertificateMaterial,
  pkiCertificateSelfSigned,
  pkiCertificateShow,
  pkiCsrCreate,
  pkiCsrDiscard,
  pkiCsrList,
  pkiHostKeysChanged,
  pkiHostKeysMaterial,
  pkiHostKeysRegenerate,
  pkiHostKeysShow,
} from '@tessera/contracts';
import {
  type TestDatabase,
  type TestEnvironment,
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  eventually,
  foreignCsr,
  makeTestCa,
  openssl,
  type TestCa,
} from '@tessera/testing';
import { startPki } from '../src/start';
import { BusSpy, collectEvents, spiedBusClient, value } from './helpers';

let db: TestDatabase;
let env: TestEnvironment;
let service: INestMicroservice;
let bus: BusClient;
let spy: BusSpy;
let tmp: string;
let ca: TestCa;
let activated: Awaited<ReturnType<typeof collectEvents<typeof pkiCertificateActivated>>>;
let hostKeysChanged: Awaited<ReturnType<typeof collectEvents<typeof pkiHostKeysChanged>>>;
const log = capturingLogger();
const inbox = `_INBOX_pki_${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-pki-'));
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url);
  spy = await BusSpy.start(env.config, inbox);
  bus = await spiedBusClient(env.config, inbox);
  activated = await collectEvents(bus, pkiCertificateActivated);
  hostKeysChanged = await collectEvents(bus, pkiHostKeysChanged);
  service = await startPki(env.config, log.logger, { hostname: 'files-host.test' });
  ca = makeTestCa(tmp);
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await spy?.close();
  await service?.close();
  await db?.drop();
  await env?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

const form = {
  subject: {
    commonName: 'files.example.com',
    organization: 'Example Widgets, Inc.',
    organizationalUnit: 'Operations',
    locality: 'Springfield',
    state: 'Oregon',
    country: 'us',
    email: 'admin@example.com',
  },
  altNames: ['www.example.com', '192.0.2.7', '2001:db8::7'],
};

async function file(name: string, text: string | Buffer): Promise<string> {
  const f = path.join(tmp, name);
  await writeFile(f, text);
  return f;
}

const show = async () => value(await bus.request(pkiCertificateShow, {})).certificate;

describe('first start', () => {
  it('makes a self-signed certificate for the host name, clearly marked, so TLS works at once', async () => {
    const cert = await show();
    expect(cert).toMatchObject({
      origin: 'first-start',
      selfSigned: true,
      subject: expect.stringContaining('CN=files-host.test'),
      altNames: { dns: ['files-host.test', 'localhost'], ip: ['127.0.0.1', '::1'] },
    });
    expect(cert.warnings.join(' ')).toMatch(/self-signed/);
    const text = openssl(['x509', '-noout', '-text'], cert.certificatePem);
    expect(text).toMatch(
      /Subject: O = Tessera, OU = Self-signed at first start, CN = files-host.test/,
    );
    expect(text).toMatch(/DNS:files-host.test, DNS:localhost, IP Address:127.0.0.1/);
    expect(await eventually(() => activated.find((e) => e.origin === 'first-start'))).toMatchObject(
      { fingerprintSha256: cert.fingerprintSha256 },
    );
  });

  it('makes the three SSH host keys (no DSA) with the fingerprints ssh-keygen prints', async () => {
    const { keys } = value(await bus.request(pkiHostKeysShow, {}));
    expect(keys.map((k) => k.kind)).toEqual(['ed25519', 'ecdsa-p256', 'rsa-3072']);
    for (const k of keys) {
      const pub = await file(`${k.kind}.pub`, k.publicKey + '\n');
      const printed = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub], {
        encoding: 'utf8',
      });
      expect(printed.split(' ')[1]).toBe(k.fingerprint);
    }
    expect(keys[2]!.publicKey).toMatch(/^ssh-rsa /);
    const rsaBits = execFileSync('ssh-keygen', ['-l', '-f', path.join(tmp, 'rsa-3072.pub')], {
      encoding: 'utf8',
    });
    expect(rsaBits).toMatch(/^3072 /);
  });
});

describe('self-signed certificate from the form', () => {
  it('is made with every subject field and SAN, is active at once, and openssl reads it', async () => {
    const before = activated.length;
    const { certificate } = value(
      await bus.request(pkiCertificateSelfSigned, {
        ...form,
        keyType: 'ecdsa-p384',
        validityDays: 90,
      }),
    );
    expect(certificate).toMatchObject({
      origin: 'self-signed',
      selfSigned: true,
      keyType: 'ecdsa-p384',
      altNames: {
        dns: ['files.example.com', 'www.example.com'],
        ip: ['192.0.2.7', '2001:db8::7'],
      },
    });
    expect(certificate.expiresInDays).toBe(89);
    const text = openssl(['x509', '-noout', '-text'], certificate.certificatePem);
    expect(text).toContain(
      'Subject: C = US, ST = Oregon, L = Springfield, O = "Example Widgets, Inc.", OU = Operations, CN = files.example.com, emailAddress = admin@example.com',
    );
    expect(text).toMatch(
      /DNS:files.example.com, DNS:www.example.com, IP Address:192.0.2.7, IP Address:2001:DB8:0:0:0:0:0:7/,
    );
    expect(text).toMatch(/NIST CURVE: P-384/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    const fingerprint = openssl(
      ['x509', '-noout', '-fingerprint', '-sha256'],
      certificate.certificatePem,
    );
    expect(fingerprint.trim()).toBe(`sha256 Fingerprint=${certificate.fingerprintSha256}`);
    expect((await show()).fingerprintSha256).toBe(certificate.fingerprintSha256);
    await eventually(() => (activated.length > before ? true : undefined));
    expect(activated[activated.length - 1]).toMatchObject({
      origin: 'self-signed',
      fingerprintSha256: certificate.fingerprintSha256,
    });
  });

  it.each([
    ['rsa-2048', 'Public-Key: (2048 bit)'],
    ['ecdsa-p256', 'NIST CURVE: P-256'],
  ] as const)('makes %s keys', async (keyType, expected) => {
    const { certificate } = value(
      await bus.request(pkiCertificateSelfSigned, {
        subject: { commonName: 'localhost' },
        keyType,
        validityDays: 1,
      }),
    );
    expect(openssl(['x509', '-noout', '-text'], certificate.certificatePem)).toContain(expected);
  });

  it('refuses a country that is not two letters and a SAN that is neither name nor address', async () => {
    const bad = await bus.request(pkiCertificateSelfSigned, {
      subject: { commonName: 'files.example.com', country: 'USA' },
      altNames: ['files example com'],
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } });
    if (!bad.ok) {
      expect(bad.error.message).toMatch(/subject.country: a country is a two-letter code/);
      expect(bad.error.message).toMatch(/"files example com" is neither a DNS name/);
    }
  });
});

describe('CSR with a pending key, then the signed certificate', () => {
  let csr1: { id: string; csrPem: string; publicKeySha256: string };
  let csr2: { id: string; csrPem: string };
  let activeBefore: string;

  it('makes a CSR that openssl verifies, keeping the active key and certificate', async () => {
    activeBefore = (await show()).fingerprintSha256;
    csr1 = value(await bus.request(pkiCsrCreate, { ...form, keyType: 'rsa-3072' })).csr;
    expect(openssl(['req', '-verify', '-noout'], csr1.csrPem)).toBe('');
    const text = openssl(['req', '-noout', '-text'], csr1.csrPem);
    expect(text).toMatch(/Subject: C = US, ST = Oregon, .*CN = files.example.com/);
    expect(text).toMatch(/DNS:files.example.com, DNS:www.example.com, IP Address:192.0.2.7/);
    expect(text).toMatch(/Public-Key: \(3072 bit\)/);
    expect((await show()).fingerprintSha256).toBe(activeBefore);
  });

  it('keeps earlier pending keys when another CSR is made, until discarded', async () => {
    csr2 = value(
      await bus.request(pkiCsrCreate, {
        subject: { commonName: 'files.example.com' },
        keyType: 'ecdsa-p256',
      }),
    ).csr;
    const { csrs } = value(await bus.request(pkiCsrList, {}));
    expect(csrs.map((c) => c.id)).toEqual([csr1.id, csr2.id]);
    expect((await show()).fingerprintSha256).toBe(activeBefore);
  });

  it('refuses a certificate for a different key, saying it matches no pending or active key', async () => {
    const foreign = foreignCsr(tmp, 'other.example.com');
    const res = await bus.request(pkiCertificateLoad, { certificate: ca.sign(foreign.csrPem) });
    expect(res).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', details: { reason: 'key-mismatch' } },
    });
    if (!res.ok)
      expect(res.error.message).toMatch(
        /is for a different key: its public key is neither the active key's .* nor that of any of the 2 pending keys/,
      );
  });

  it('refuses a private key pasted into the certificate field, in PEM or DER', async () => {
    const { keyPem } = foreignCsr(tmp, 'leaked.example.com');
    const der = execFileSync('openssl', ['pkey', '-outform', 'DER'], { input: keyPem });
    for (const certificate of [keyPem, { base64: der.toString('base64') }]) {
      const res = await bus.request(pkiCertificateLoad, { certificate });
      expect(res).toMatchObject({ ok: false, error: { details: { reason: 'private-key' } } });
      if (!res.ok)
        expect(res.error.message).toMatch(
          /^The certificate is a private key, not a certificate\. A certificate authority never sends a private key/,
        );
    }
  });

  it('refuses random bytes and a CSR, each with its own message', async () => {
    const random = await bus.request(pkiCertificateLoad, {
      certificate: { base64: randomBytes(700).toString('base64') },
    });
    expect(random).toMatchObject({ ok: false, error: { details: { reason: 'unreadable' } } });
    if (!random.ok)
      expect(random.error.message).toMatch(
        /is not a certificate Tessera can read: expected PEM text/,
      );

    const csr = await bus.request(pkiCertificateLoad, { certificate: csr1.csrPem });
    expect(csr).toMatchObject({ ok: false, error: { details: { reason: 'csr' } } });
    if (!csr.ok) expect(csr.error.message).toMatch(/is a certificate signing request \(CSR\)/);
  });

  it('refuses a broken chain, naming where it breaks', async () => {
    const other = makeTestCa(await mkdtemp(path.join(tmp, 'other-')), 'Other');
    const leaf = ca.sign(csr1.csrPem);
    const res = await bus.request(pkiCertificateLoad, {
      certificate: leaf,
      chain: [other.intermediatePem],
    });
    expect(res).toMatchObject({ ok: false, error: { details: { reason: 'broken-chain' } } });
    if (!res.ok)
      expect(res.error.message).toMatch(
        /The chain is broken: "C=US, .*CN=files.example.com.*" was issued by "O=Tessera Test, CN=Tessera Test Intermediate CA", but none of the other certificates \("O=Other, CN=Other Intermediate CA"\) signed it/,
      );
  });

  it('refuses an expired certificate', async () => {
    const res = await bus.request(pkiCertificateLoad, {
      certificate: ca.sign(csr1.csrPem, { days: -1 }),
      chain: [ca.intermediatePem],
    });
    expect(res).toMatchObject({ ok: false, error: { details: { reason: 'expired' } } });
    if (!res.ok)
      expect(res.error.message).toMatch(
        /^The certificate "C=US.*CN=files.example.com.*" expired on /,
      );
    expect((await show()).fingerprintSha256).toBe(activeBefore);
  });

  it('loads the signed certificate with its intermediate appended, promoting the pending key', async () => {
    const leaf = ca.sign(csr1.csrPem, { days: 20 });
    const before = activated.length;
    const res = value(
      await bus.request(pkiCertificateLoad, { certificate: leaf + ca.intermediatePem }),
    );
    expect(res).toMatchObject({ matched: 'pending', promotedCsrId: csr1.id });
    expect(res.certificate).toMatchObject({
      origin: 'ca-issued',
      selfSigned: false,
      keyType: 'rsa-3072',
      issuer: 'O=Tessera Test, CN=Tessera Test Intermediate CA',
      chain: [{ subject: 'O=Tessera Test, CN=Tessera Test Intermediate CA', isCa: true }],
    });
    expect(res.certificate.warnings.join(' ')).toMatch(/expires in 19 days/);
    const { csrs } = value(await bus.request(pkiCsrList, {}));
    expect(csrs.map((c) => c.id)).toEqual([csr2.id]);
    await eventually(() => (activated.length > before ? true : undefined));
    expect(activated[activated.length - 1]).toMatchObject({ origin: 'ca-issued' });

    // The material for the doors: the key fits the certificate (openssl compares them).
    const material = value(await bus.request(pkiCertificateMaterial, {}));
    expect(material.chainPem).toEqual([expect.stringContaining('BEGIN CERTIFICATE')]);
    const certKey = openssl(['x509', '-noout', '-pubkey'], material.certificatePem);
    const privKey = openssl(['pkey', '-pubout'], material.privateKey);
    expect(certKey).toBe(privKey);
    expect(
      openssl([
        'verify',
        '-CAfile',
        ca.rootFile,
        '-untrusted',
        await file('chain.pem', material.chainPem.join('')),
        await file('leaf.pem', material.certificatePem),
      ]),
    ).toMatch(/: OK/);
  });

  it('loads a DER certificate with a PKCS#7 chain file, for the other pending key', async () => {
    const leafDer = execFileSync('openssl', ['x509', '-outform', 'DER'], {
      input: ca.sign(csr2.csrPem),
    });
    const p7b = execFileSync('openssl', [
      'crl2pkcs7',
      '-nocrl',
      '-certfile',
      ca.intermediateFile,
      '-certfile',
      ca.rootFile,
      '-outform',
      'DER',
    ]);
    const res = value(
      await bus.request(pkiCertificateLoad, {
        certificate: { base64: leafDer.toString('base64') },
        chain: [{ base64: p7b.toString('base64') }],
      }),
    );
    expect(res).toMatchObject({ matched: 'pending', promotedCsrId: csr2.id });
    expect(res.certificate.keyType).toBe('ecdsa-p256');
    expect(res.certificate.chain.map((c) => c.subject)).toEqual([
      'O=Tessera Test, CN=Tessera Test Intermediate CA',
    ]);
    expect(res.certificate.warnings.join(' ')).toMatch(/root certificate .* was left out/);
    expect(value(await bus.request(pkiCsrList, {})).csrs).toEqual([]);
  });

  it('loads a renewed certificate for the active key, saying so', async () => {
    const csr3 = value(
      await bus.request(pkiCsrCreate, { subject: { commonName: 'renew.example.com' } }),
    ).csr;
    // A renewal the authority made for the key already in use (its CSR made from that key).
    const active = value(await bus.request(pkiCertificateMaterial, {}));
    const keyFile = await file('active.key', active.privateKey);
    const csrForActive = openssl([
      'req',
      '-new',
      '-key',
      keyFile,
      '-subj',
      '/CN=files.example.com',
    ]);
    await rm(keyFile);
    const res = value(
      await bus.request(pkiCertificateLoad, {
        certificate: ca.sign(csrForActive),
        chain: [ca.intermediatePem],
      }),
    );
    expect(res).toMatchObject({ matched: 'active', promotedCsrId: null });
    // The unrelated pending key is still there.
    expect(value(await bus.request(pkiCsrList, {})).csrs.map((c) => c.id)).toEqual([csr3.id]);
  });

  it('discards a pending key, and says when there is none', async () => {
    const { csrs } = value(await bus.request(pkiCsrList, {}));
    expect(value(await bus.request(pkiCsrDiscard, { id: csrs[0]!.id }))).toEqual({
      discarded: true,
    });
    expect(value(await bus.request(pkiCsrList, {})).csrs).toEqual([]);
    expect(await bus.request(pkiCsrDiscard, { id: csrs[0]!.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
  });
});

describe('SSH host keys', () => {
  it('hands the SSH door OpenSSH private keys that ssh2 and ssh-keygen load', async () => {
    const { keys } = value(await bus.request(pkiHostKeysMaterial, {}));
    expect(keys).toHaveLength(3);
    for (const k of keys) {
      expect(k.privateKey).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----/);
      const parsed = sshUtils.parseKey(k.privateKey);
      expect(parsed).not.toBeInstanceOf(Error);
      const keyFile = path.join(tmp, `host-${k.kind}`);
      await writeFile(keyFile, k.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', keyFile], { encoding: 'utf8' });
      expect(derived.split(' ').slice(0, 2)).toEqual(k.publicKey.split(' ').slice(0, 2));
      await rm(keyFile);
    }
  });

  it('regenerates the kinds asked for, announces it, and keeps the others', async () => {
    const before = value(await bus.request(pkiHostKeysShow, {})).keys;
    const after = value(await bus.request(pkiHostKeysRegenerate, { kinds: ['ed25519'] })).keys;
    expect(after[0]!.fingerprint).not.toBe(before[0]!.fingerprint);
    expect(after.slice(1)).toEqual(before.slice(1));
    expect(await eventually(() => hostKeysChanged[0])).toMatchObject({ kinds: ['ed25519'] });
  });
});

describe('keys at rest', () => {
  it('stores private keys sealed, never in the clear', async () => {
    const material = value(await bus.request(pkiCertificateMaterial, {}));
    const der = Buffer.from(material.privateKey.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const tls = await client.query<{ private_key_sealed: Buffer }>(
        'SELECT private_key_sealed FROM tls_keys',
      );
      const ssh = await client.query<{ private_key_sealed: Buffer }>(
        'SELECT private_key_sealed FROM ssh_host_keys',
      );
      expect(tls.rows.length).toBeGreaterThan(0);
      for (const row of [...tls.rows, ...ssh.rows]) {
        const sealed = row.private_key_sealed;
        expect(sealed.subarray(0, 3).toString()).toBe('TK1');
        expect(sealed.includes(der.subarray(0, 48))).toBe(false);
        expect(sealed.toString('latin1')).not.toMatch(/PRIVATE KEY/);
      }
    } finally {
      await client.end();
    }
  });

  it('made a development master key file, mode 0600, and said so', async () => {
    const keyFile = path.join(env.dataDir, 'master.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'base64')).toHaveLength(32);
    expect(log.lines.some((l) => /generated a development master key file/.test(l))).toBe(true);
  });

  it('refuses to start under another master key, saying why', async () => {
    const other = loadConfig({
      ...env.env,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64'),
    });
    await expect(startPki(other, capturingLogger().logger)).rejects.toThrow(
      /TESSERA_MASTER_KEY: does not open the keys stored in the database: .*sealed under another TESSERA_MASTER_KEY/,
    );
  });

  it('refuses to start in production without a master key, saying how to make one', async () => {
    const prod = loadConfig({ ...env.env, NODE_ENV: 'production' });
    await expect(startPki(prod, capturingLogger().logger)).rejects.toThrow(
      /TESSERA_MASTER_KEY: not set\. In production .*openssl rand -base64 32/,
    );
  });

  it('refuses a master key that is not 32 bytes of base64', async () => {
    const bad = loadConfig({ ...env.env, TESSERA_MASTER_KEY: 'c2hvcnQ=' });
    await expect(startPki(bad, capturingLogger().logger)).rejects.toThrow(
      /TESSERA_MASTER_KEY: expected 32 random bytes in base64 \(44 characters\), got 5 bytes/,
    );
  });
});

describe('a hostile bus', () => {
  it('answers malformed requests with an error and keeps serving', async () => {
    for (const body of ['not json', '{"certificate": 42}', '[]']) {
      const msg = await bus.connection.request(
        env.config.TESSERA_BUS_PREFIX + pkiCertificateLoad.subject,
        Buffer.from(body),
        { timeout: 5000 },
      );
      expect(JSON.parse(Buffer.from(msg.data).toString())).toMatchObject({
        ok: false,
        error: { code: 'invalid_request' },
      });
    }
    expect((await show()).fingerprintSha256).toMatch(/^[0-9A-F:]{95}$/);
  });
});

describe('private keys stay private', () => {
  it('never appear in a log line', () => {
    expect(log.lines.length).toBeGreaterThan(5);
    for (const line of log.lines) {
      expect(line).not.toMatch(/PRIVATE KEY/);
      expect(line).not.toMatch(/privateKey/);
    }
  });

  it('travel on NATS only in the material replies', async () => {
    await bus.connection.flush();
    const materialInboxes = new Set(
      spy.messages
        .filter(
          (m) =>
            m.subject.endsWith(pkiCertificateMaterial.subject) ||
            m.subject.endsWith(pkiHostKeysMaterial.subject),
        )
        .map((m) => m.reply),
    );
    const carrying = spy.messages.filter((m) => /PRIVATE KEY/.test(m.data));
    expect(carrying.length).toBeGreaterThan(0);
    for (const m of carrying) {
      // The refusal test sent a private key *to* the service on purpose; nothing came back with it.
      if (m.subject.endsWith(pkiCertificateLoad.subject)) continue;
      expect(materialInboxes.has(m.subject)).toBe(true);
    }
  });
});
