import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pkiCertificateLoad, pkiCsrCreate } from '@tessera/contracts';
import { eventually, makeTestCa, type TestCa } from '@tessera/testing';
import { startStack, type Stack } from './stack';

let stack: Stack;
let tmp: string;
let ca: TestCa;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-web-ca-'));
  ca = makeTestCa(tmp);
  stack = await startStack();
}, 90_000);

afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** curl as an operator would run it: the root given, no `-k`. */
function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '10', '--cacert', ca.rootFile, ...args],
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** What an operator does with the CLI: a CSR from pki, signed by the authority, loaded back. */
async function activateCaIssued(): Promise<void> {
  const csr = await stack.bus.request(pkiCsrCreate, {
    subject: { commonName: 'files.example.test' },
    altNames: ['files.example.test', '127.0.0.1'],
  });
  if (!csr.ok) throw new Error(csr.error.message);
  const loaded = await stack.bus.request(pkiCertificateLoad, {
    certificate: ca.sign(csr.value.csr.csrPem),
    chain: [ca.intermediatePem],
  });
  if (!loaded.ok) throw new Error(loaded.error.message);
}

describe('a certificate change reaches real clients without a restart', () => {
  it('is refused by curl while self-signed, then trusted once pki activates the signed one', async () => {
    const url = `https://127.0.0.1:${stack.httpsPort}/`;
    const before = await curl([url]);
    expect(before.code).toBe(60); // "SSL certificate problem": not trusted under the test root

    await activateCaIssued();
    const after = await eventually(async () => {
      const res = await curl(['-o', '/dev/null', '-w', '%{http_code}', url]);
      return res.code === 0 ? res : undefined;
    });
    expect(after.stdout).toBe('200');
    // The same listener: nothing was restarted or reopened.
    expect(stack.gateway.ports.https).toBe(stack.httpsPort);
  });

  it('lets HSTS on once the certificate is no longer self-signed', async () => {
    await stack.changeSettings({ 'web.hsts': true });
    const headers = await eventually(async () => {
      const res = await curl([
        '-D',
        '-',
        '-o',
        '/dev/null',
        `https://127.0.0.1:${stack.httpsPort}/`,
      ]);
      return /strict-transport-security: max-age=31536000/i.test(res.stdout) ? res : undefined;
    });
    expect(headers.code).toBe(0);
  });
});
