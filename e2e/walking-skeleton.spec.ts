import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { JSONCodec } from 'nats';
import { startSystem, tessera as run, type RunningSystem } from './system';

jest.setTimeout(180_000);

let system: RunningSystem;
let keys: string;

beforeAll(async () => {
  keys = await mkdtemp(path.join(os.tmpdir(), 'tessera-e2e-keys-'));
  system = await startSystem();
});
/** The CLI as the README shows it; a failure carries the system's own log, to say why. */
async function tessera(env: Record<string, string>, args: string[]) {
  const result = await run(env, args);
  if (result.code !== 0) {
    throw new Error(
      `tessera ${args.join(' ')} exited ${result.code}: ${result.stderr}\n--- npm start said:\n${system.output()}`,
    );
  }
  return result;
}

afterAll(async () => {
  await system?.stop();
  await rm(keys, { recursive: true, force: true });
});

describe('a new operator, following the README', () => {
  it('sees one ready line naming the SFTP port, its host keys and the TLS identity, and no warning', async () => {
    const ready = /^Tessera \S+ is ready after [\d.]+ s: (.*)$/m.exec(system.output())?.[1];
    expect(ready).toContain(`sftp on 127.0.0.1:${system.env.TESSERA_SFTP_PORT} (host keys SHA256:`);
    expect(ready).toMatch(/TLS identity .*CN=.* \(self-signed, 36[45] days left/);
    expect(ready).toContain(`https on 127.0.0.1:${system.env.TESSERA_HTTPS_PORT}`);
    expect(ready).toContain(`http-redirect on 127.0.0.1:${system.env.TESSERA_HTTP_PORT}`);
    expect(ready).toContain(`ftps (AUTH TLS) on 127.0.0.1:${system.env.TESSERA_FTP_PORT}`);
    expect(ready).toMatch(/user-auth, ftp-ftps, notices, pki, sftp, web-gateway answer$/);
    const loud = system
      .output()
      .split('\n')
      .filter((line) => /"level":(40|50|60)/.test(line));
    expect(loud).toEqual([]);
    expect(system.output()).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('asks tessera status, which finds every service up', async () => {
    const status = await tessera(system.env, ['status']);
    expect(status.stdout).toMatch(/^sftp +up +\S+ +\S+ +sftp 127\.0\.0\.1:\d+$/m);
  });

  it('starts Tessera with npm start, adds alice with the CLI, and alice logs in over the bus', async () => {
    const added = await tessera(system.env, [
      'users',
      'add',
      'alice',
      '--home',
      'alice',
      '--generate-password',
    ]);
    expect(added).toMatchObject({ code: 0 });
    const password = /^password: (\S+)$/m.exec(added.stdout)?.[1];
    expect(password).toHaveLength(28);

    execFileSync('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'alice@laptop',
      '-f',
      path.join(keys, 'id_ed25519'),
    ]);
    const keyAdded = await tessera(system.env, [
      'keys',
      'add',
      'alice',
      path.join(keys, 'id_ed25519.pub'),
    ]);
    expect(keyAdded).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^added ssh-ed25519 SHA256:\S+ alice@laptop for alice\n$/),
    });

    // Any NATS client can ask: the request is the bare contract payload, the reply a plain envelope.
    const json = JSONCodec<unknown>();
    const reply = await system.bus.connection.request(
      `${system.env.TESSERA_BUS_PREFIX}auth.password.verify`,
      json.encode({ username: 'alice', password, protocol: 'sftp', remoteAddress: '127.0.0.1' }),
      { timeout: 5000 },
    );
    expect(json.decode(reply.data)).toMatchObject({
      ok: true,
      value: {
        user: {
          username: 'alice',
          homeFolder: 'alice',
          enabled: true,
          publicKeyCount: 1,
          privileges: expect.arrayContaining(['list', 'download', 'upload']),
        },
      },
    });
  });

  it('keeps the key it was given: the fingerprint matches ssh-keygen', async () => {
    const listed = await tessera(system.env, ['keys', 'list', 'alice']);
    const fingerprint = execFileSync(
      'ssh-keygen',
      ['-l', '-E', 'sha256', '-f', path.join(keys, 'id_ed25519.pub')],
      { encoding: 'utf8' },
    ).split(' ')[1]!;
    expect(listed.stdout).toContain(fingerprint);
    expect(await readFile(path.join(keys, 'id_ed25519.pub'), 'utf8')).toContain('alice@laptop');
  });
});
