import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { usersGet, usersUpdate } from '@tessera/contracts';
import { makeKey, readEvents } from '@tessera/testing';
import { sftpBatch, sshCommand, type SftpLogin } from './openssh';
import { startStack, type Stack } from './stack';

let stack: Stack;
let keys: string;

beforeAll(async () => {
  stack = await startStack();
  keys = await mkdtemp(path.join(os.tmpdir(), 'sftp-keys-'));
  await stack.createUser({ username: 'bob', homeFolder: 'bob', password: 'bob-password' });
}, 60_000);

afterAll(async () => {
  await stack?.close();
  if (keys) await rm(keys, { recursive: true, force: true });
});

const login = (extra: Partial<SftpLogin> & { username: string }): SftpLogin => ({
  port: stack.port,
  ...extra,
});
const pwd = (who: SftpLogin) => sftpBatch(who, ['pwd']);
const loggedIn = { code: 0, stdout: expect.stringContaining('Remote working directory: /') };
const refused = { code: 255, stderr: expect.stringMatching(/Permission denied/) };

describe('passwords', () => {
  it('logs in with the right password and refuses a wrong one or an unknown user', async () => {
    expect(await pwd(login({ username: 'bob', password: 'bob-password' }))).toMatchObject(loggedIn);
    expect(await pwd(login({ username: 'bob', password: 'not-his' }))).toMatchObject(refused);
    expect(await pwd(login({ username: 'nobody', password: 'whatever1' }))).toMatchObject(refused);
  });

  it('refuses passwords for disabled and key-only accounts', async () => {
    await stack.createUser({ username: 'carl', homeFolder: 'carl', password: 'carl-password' });
    await stack.bus.request(usersUpdate, { username: 'carl', passwordLoginDisabled: true });
    expect(await pwd(login({ username: 'carl', password: 'carl-password' }))).toMatchObject(
      refused,
    );
    await stack.bus.request(usersUpdate, {
      username: 'carl',
      passwordLoginDisabled: false,
      enabled: false,
    });
    expect(await pwd(login({ username: 'carl', password: 'carl-password' }))).toMatchObject(
      refused,
    );
  });

  it('publishes sessions.login.failed, and honours a lock from user-auth with its reason', async () => {
    await stack.createUser({ username: 'dora', homeFolder: 'dora', password: 'dora-password' });
    for (let i = 0; i < 5; i++) await pwd(login({ username: 'dora', password: `wrong-${i}-x` }));
    expect(await pwd(login({ username: 'dora', password: 'dora-password' }))).toMatchObject(
      refused,
    );
    const events = await readEvents(
      stack.bus.connection,
      stack.bus.prefix,
      'sessions.login.failed',
    );
    const dora = events.filter((e) => e.username === 'dora');
    expect(dora.filter((e) => e.reason === 'bad-password')).toHaveLength(5);
    expect(dora.at(-1)).toMatchObject({
      protocol: 'sftp',
      remoteAddress: '127.0.0.1',
      reason: expect.stringMatching(
        /^locked: too many failed logins for user dora from 127\.0\.0\.1/,
      ),
    });
  });

  it('lets dora in with her key from the address whose wrong passwords locked her passwords', async () => {
    const key = makeKey(keys, 'dora', 'ed25519');
    await writeFile(path.join(stack.keysFolder, 'dora.pub'), await readFile(key.publicFile));
    expect(await pwd(login({ username: 'dora', password: 'dora-password' }))).toMatchObject(
      refused,
    );
    expect(await pwd(login({ username: 'dora', identity: key.privateFile }))).toMatchObject(
      loggedIn,
    );
  });
});

describe('public keys', () => {
  it('logs in with a key dropped into the keys folder at once, without a restart', async () => {
    await stack.createUser({ username: 'erin', homeFolder: 'erin', passwordLoginDisabled: true });
    const key = makeKey(keys, 'erin', 'ed25519');
    const erin = login({ username: 'erin', identity: key.privateFile });
    expect(await pwd(erin)).toMatchObject(refused);
    await writeFile(path.join(stack.keysFolder, 'erin.pub'), await readFile(key.publicFile));
    expect(await pwd(erin)).toMatchObject(loggedIn);
  });

  it("refuses a key that is not the user's", async () => {
    const stranger = makeKey(keys, 'stranger', 'ed25519');
    expect(await pwd(login({ username: 'erin', identity: stranger.privateFile }))).toMatchObject(
      refused,
    );
  });

  it('logs in with RSA (rsa-sha2 signatures) and ECDSA keys', async () => {
    await stack.createUser({ username: 'fred', homeFolder: 'fred' });
    const rsa = makeKey(keys, 'fred_rsa', 'rsa', 3072);
    const ecdsa = makeKey(keys, 'fred_ecdsa', 'ecdsa', 256);
    const lines = await Promise.all([readFile(rsa.publicFile), readFile(ecdsa.publicFile)]);
    await writeFile(path.join(stack.keysFolder, 'fred.pub'), Buffer.concat(lines));
    expect(await pwd(login({ username: 'fred', identity: rsa.privateFile }))).toMatchObject(
      loggedIn,
    );
    expect(await pwd(login({ username: 'fred', identity: ecdsa.privateFile }))).toMatchObject(
      loggedIn,
    );
    const sha1 = login({
      username: 'fred',
      identity: rsa.privateFile,
      options: ['PubkeyAcceptedAlgorithms=ssh-rsa'],
    });
    expect(await pwd(sha1)).toMatchObject(refused);
    expect(stack.log.records()).toContainEqual(
      expect.objectContaining({
        reason: expect.stringMatching(/^weak-algorithm: ssh-rsa \(SHA-1\)/),
      }),
    );
  });
  it('a key only offered, never signed with, does not count as a login', async () => {
    await stack.createUser({ username: 'gina', homeFolder: 'gina', passwordLoginDisabled: true });
    // A key locked with a passphrase that `sftp -b` (BatchMode) cannot ask for: OpenSSH offers
    // the public half ("would this key do?"), hears yes, and then cannot sign. The client never
    // proved it holds the key.
    const locked = path.join(keys, 'gina');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'a passphrase', '-f', locked]);
    await writeFile(path.join(stack.keysFolder, 'gina.pub'), await readFile(`${locked}.pub`));
    const offered = await sftpBatch(login({ username: 'gina', identity: locked }), ['pwd'], {
      verbose: true,
    });
    expect(offered).toMatchObject(refused);
    expect(offered.stderr).toContain('Server accepts key');
    const gina = await stack.bus.request(usersGet, { username: 'gina' });
    expect(gina.ok && gina.value.user.lastLoginAt).toBeNull();
  });
});

describe('only SFTP', () => {
  const bob = () => login({ username: 'bob', password: 'bob-password' });

  it('refuses a shell and commands, saying why', async () => {
    for (const extra of [['-T'], ['ls', '-la', '/']]) {
      const result = await sshCommand(bob(), extra);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('This server offers SFTP only');
    }
  });

  it('refuses port forwarding both ways', async () => {
    const local = await sshCommand(bob(), ['-W', '127.0.0.1:22']);
    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/stdio forwarding failed/);
    const remote = await sshCommand(bob(), [
      '-N',
      '-o',
      'ExitOnForwardFailure=yes',
      '-R',
      '0:127.0.0.1:22',
    ]);
    expect(remote.code).not.toBe(0);
    expect(remote.stderr).toMatch(/remote port forwarding failed/);
  });
});
