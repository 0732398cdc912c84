import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { INestMicroservice } from '@nestjs/common';
import { BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { pkiCertificateLoad, pkiCertificateSelfSigned, pkiCsrCreate } from '@tessera/contracts';
import {
  type TestDatabase,
  type TestEnvironment,
  capturingLogger,
  createTestDatabase,
  createTestEnvironment,
  eventually,
  testBusPrefix,
  makeTestCa,
  opensslResult,
  type TestCa,
} from '@tessera/testing';
import { TlsIdentity, type TlsIdentityInfo } from '@tessera/tls';
import { startPki } from '../src/start';
import { value } from './helpers';

let db: TestDatabase;
let env: TestEnvironment;
let service: INestMicroservice;
let bus: BusClient;
let tmp: string;
let ca: TestCa;
let identity: TlsIdentity;
let server: tls.Server;
let port: number;
const changes: TlsIdentityInfo[] = [];
const doorLog = capturingLogger();

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-tls-'));
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url);
  service = await startPki(env.config, capturingLogger().logger, { hostname: 'files.test' });
  bus = await BusClient.connect(env.config, 'tls-door-test');
  ca = makeTestCa(tmp);

  // A door as HTTPS/FTPS build theirs: options from the identity, then attach for live swaps.
  identity = await TlsIdentity.start(bus, doorLog.logger);
  identity.onChange((info) => changes.push(info));
  server = tls.createServer(identity.secureContextOptions(), (socket) => {
    socket.on('data', (d) => socket.write(d)); // echo
    socket.on('error', () => undefined);
  });
  identity.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await identity?.close();
  await new Promise((r) => server?.close(r));
  await bus?.close();
  await service?.close();
  await db?.drop();
  await env?.cleanup();
  await rm(tmp, { recursive: true, force: true });
});

/** The certificate a new connection sees, with SNI or (servername '') without. */
function peerFingerprint(servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername, rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

function sClient(args: string[]) {
  return opensslResult(['s_client', '-connect', `127.0.0.1:${port}`, ...args], 'Q\n');
}

async function activateCaIssued(): Promise<string> {
  const { csr } = value(
    await bus.request(pkiCsrCreate, {
      subject: { commonName: 'files.example.com', organization: 'Example' },
      altNames: ['127.0.0.1'],
    }),
  );
  const loaded = value(
    await bus.request(pkiCertificateLoad, {
      certificate: ca.sign(csr.csrPem),
      chain: [ca.intermediatePem],
    }),
  );
  return loaded.certificate.fingerprintSha256;
}

describe('libs/tls with the pki service', () => {
  it('serves the first-start certificate with no configuration', async () => {
    expect(await peerFingerprint('files.test')).toBe(identity.info().fingerprintSha256);
  });

  it('presents the full chain that openssl s_client verifies against the test root', async () => {
    const fingerprint = await activateCaIssued();
    await eventually(() => (identity.info().fingerprintSha256 === fingerprint ? true : undefined));
    const res = await sClient([
      '-servername',
      'files.example.com',
      '-verify_return_error',
      '-CAfile',
      ca.rootFile,
      '-showcerts',
    ]);
    expect(res.stdout).toMatch(/Verify return code: 0 \(ok\)/);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/ 0 s:O = Example, CN = files.example.com/);
    expect(res.stdout).toMatch(/ 1 s:O = Tessera Test, CN = Tessera Test Intermediate CA/);
    expect(res.stdout.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('swaps the certificate for new connections without a restart, with and without SNI', async () => {
    const before = await peerFingerprint('files.example.com');
    // A connection opened before the swap stays up and keeps working.
    const open = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise((r) => open.once('secureConnect', r));

    const { certificate } = value(
      await bus.request(pkiCertificateSelfSigned, {
        subject: { commonName: 'swapped.example.com' },
        keyType: 'ecdsa-p256',
        validityDays: 30,
      }),
    );
    expect(certificate.fingerprintSha256).not.toBe(before);
    await eventually(() =>
      changes.some((c) => c.fingerprintSha256 === certificate.fingerprintSha256) ? true : undefined,
    );
    expect(await peerFingerprint('files.example.com')).toBe(certificate.fingerprintSha256);
    expect(await peerFingerprint('')).toBe(certificate.fingerprintSha256);

    open.write('still here');
    const echoed = await new Promise<string>((r) => open.once('data', (d) => r(d.toString())));
    expect(echoed).toBe('still here');
    expect(open.getPeerCertificate().fingerprint256).toBe(before);
    open.end();
  });

  it('speaks TLS 1.2 and 1.3 with modern suites only', async () => {
    const tls13 = await sClient(['-tls1_3']);
    expect(tls13.stdout).toMatch(/New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256/);
    const tls12 = await sClient(['-tls1_2']);
    expect(tls12.stdout).toMatch(/Protocol {2}: TLSv1.2/);
    expect(tls12.stdout).toMatch(/Cipher {4}: ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256/);

    const tls11 = await sClient(['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0']);
    expect(tls11.code).not.toBe(0);
    expect(tls11.stderr).toMatch(/protocol version|unsupported protocol/);
    const cbc = await sClient(['-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-SHA:AES128-SHA']);
    expect(cbc.code).not.toBe(0);
    expect(cbc.stderr).toMatch(/handshake failure|no shared cipher/);
  });

  it('never logs the private key it receives', () => {
    expect(doorLog.lines.some((l) => /swapped to the new TLS identity/.test(l))).toBe(true);
    for (const line of doorLog.lines) expect(line).not.toMatch(/PRIVATE KEY|privateKey/);
  });

  it('gives up with a clear message when no pki service answers', async () => {
    const lonely = await BusClient.connect(
      loadConfig({ ...env.env, TESSERA_BUS_PREFIX: testBusPrefix() }),
      'tls-lonely',
    );
    try {
      await expect(
        TlsIdentity.start(lonely, capturingLogger().logger, {
          startTimeoutMs: 300,
          retryIntervalMs: 100,
        }),
      ).rejects.toThrow(
        // NATS says "no responders" at once; on a loaded machine the request may time out first.
        /no TLS identity from the pki service: no (service answers|answer on) pki.certificate.material/,
      );
    } finally {
      await lonely.close();
    }
  });
});
