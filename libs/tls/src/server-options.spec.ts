import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createSecureContext, createServer } from 'node:tls';
import { secureContextOptionsFor, TLS_CIPHERS, TLS_MIN_VERSION } from './server-options';

/** A throwaway key and self-signed certificate made by openssl. */
function opensslIdentity(dir: string, name: string) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.pem`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${name}`,
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  return { privateKey: readFileSync(key, 'utf8'), certificatePem: readFileSync(cert, 'utf8') };
}

describe('secureContextOptionsFor', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-tls-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const a = opensslIdentity(dir, 'a');
  const b = opensslIdentity(dir, 'b');
  const material = {
    ...a,
    chainPem: [b.certificatePem],
    fingerprintSha256: 'x',
    activatedAt: new Date().toISOString(),
  };

  it('puts the chain after the leaf, TLS 1.2 minimum, AEAD suites only, server preference', () => {
    const opts = secureContextOptionsFor(material);
    expect(opts.cert).toBe(a.certificatePem.trim() + '\n' + b.certificatePem.trim() + '\n');
    expect(opts).toMatchObject({ minVersion: TLS_MIN_VERSION, honorCipherOrder: true });
    for (const suite of TLS_CIPHERS.split(':')) {
      expect(suite).toMatch(/^TLS_|^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/);
    }
    expect(() => createSecureContext(opts)).not.toThrow();
  });

  it('refuses a renegotiation the client starts (TLS 1.2)', async () => {
    const server = createServer(secureContextOptionsFor(material), (socket) => {
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // openssl s_client renegotiates on a line "R", as testssl.sh does.
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2']);
    let output = '';
    const heard = (text: string) =>
      new Promise<void>((resolve) => {
        const check = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes(text)) resolve();
        };
        client.stdout.on('data', check);
        client.stderr.on('data', check);
      });
    try {
      await heard('Verify return code');
      client.stdin.write('R\n');
      await heard('RENEGOTIATING');
      await heard('no renegotiation');
    } finally {
      client.kill();
      server.close();
    }
  });

  it('refuses a key that does not fit the certificate', () => {
    expect(() =>
      createSecureContext(secureContextOptionsFor({ ...material, privateKey: b.privateKey })),
    ).toThrow(/key values mismatch/);
  });
});
