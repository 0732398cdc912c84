import type { INestMicroservice } from '@nestjs/common';
import pino from 'pino';
import { startPki } from '@tessera/pki/src/start';
import { startSftp, type SftpDoor } from '@tessera/sftp/src/start';
import {
  createTestDatabase,
  createTestEnvironment,
  freePort,
  type TestDatabase,
  type TestEnvironment,
} from '@tessera/testing';
import { startUserAuth } from '@tessera/user-auth/src/start';
import { runTessera } from './run-tessera';

jest.setTimeout(60_000);

let db: TestDatabase;
let env: TestEnvironment;
let userAuth: INestMicroservice;
let pki: INestMicroservice;
let sftp: SftpDoor | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  env = await createTestEnvironment(db.url, { TESSERA_SFTP_PORT: String(await freePort()) });
  const quiet = pino({ level: 'silent' });
  userAuth = await startUserAuth(env.config, quiet);
  pki = await startPki(env.config, quiet);
  sftp = await startSftp(env.config, quiet, { hostKeyWaitMs: 20_000 });
});
afterAll(async () => {
  await sftp?.close();
  await pki?.close();
  await userAuth?.close();
  await db?.drop();
  await env?.cleanup();
});

const tessera = (args: string[]) => runTessera(env.env, args);

describe('tessera status', () => {
  it('shows every service up with its version and ports, and the active certificate', async () => {
    const status = await tessera(['status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^user-auth +up +0\.\d+\.\d+ +\S+/m);
    expect(status.stdout).toMatch(/^pki +up /m);
    expect(status.stdout).toMatch(
      new RegExp(`^sftp +up .*sftp 127\\.0\\.0\\.1:${sftp!.port}$`, 'm'),
    );
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
    await sftp!.close();
    sftp = undefined;
    const status = await tessera(['status']);
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^sftp +DOWN .*no service answers health\.sftp/m);
    expect(status.stdout).toMatch(/^pki +up /m);
    expect(status.stderr).toBe('tessera: not answering: sftp\n');
  });
});
