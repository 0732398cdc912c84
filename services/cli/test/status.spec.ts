import { freePort, startTestStack, type TestStack } from '@tessera/testing';
import { runTessera } from './run-tessera';

jest.setTimeout(60_000);

let stack: TestStack;
let sftpPort: number;

beforeAll(async () => {
  sftpPort = await freePort();
  stack = await startTestStack(['user-auth', 'pki', 'sftp', 'ftp-ftps', 'web-gateway', 'notices'], {
    TESSERA_SFTP_PORT: String(sftpPort),
    TESSERA_FTP_PORT: String(await freePort()),
    TESSERA_HTTP_PORT: String(await freePort()),
    TESSERA_HTTPS_PORT: String(await freePort()),
  });
});
afterAll(async () => {
  await stack?.close();
});

const tessera = (args: string[]) => runTessera(stack.env.env, args);

describe('tessera status', () => {
  it('shows every service up with its version and ports, and the active certificate', async () => {
    const status = await tessera(['status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^user-auth +up +0\.\d+\.\d+ +\S+/m);
    expect(status.stdout).toMatch(/^pki +up /m);
    expect(status.stdout).toMatch(new RegExp(`^sftp +up .*sftp 127\\.0\\.0\\.1:${sftpPort}$`, 'm'));
    expect(status.stdout).toMatch(/^web-gateway +up .*https 127\.0\.0\.1:\d+/m);
    expect(status.stdout).toMatch(/^notices +up /m);
    expect(status.stdout).toMatch(/^certificate: .*CN=/m);
    expect(status.stdout).toMatch(/\(self-signed\)/);
    expect(status.stdout).toMatch(/\((36[4-5]) days left\)/);

    const json = JSON.parse((await tessera(['--json', 'status'])).stdout);
    const sftpHealth = json.services.find((s: { service: string }) => s.service === 'sftp');
    expect(sftpHealth.health.hostKeyFingerprints).toEqual([
      expect.stringMatching(/^SHA256:/),
      expect.stringMatching(/^SHA256:/),
    ]);
    expect(json.certificate.selfSigned).toBe(true);
  });

  it('exits 3 and names the service that does not answer', async () => {
    await stack.services.stop('sftp');
    const status = await tessera(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^sftp +DOWN .*no service answers health\.sftp/m);
    expect(status.stdout).toMatch(/^pki +up /m);
    expect(status.stderr).toBe('tessera: not answering: sftp\n');
  });
});
