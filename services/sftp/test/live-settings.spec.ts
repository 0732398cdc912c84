import { execFile } from 'node:child_process';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { healthPing, settingsChanged } from '@tessera/contracts';
import { eventually, freePort } from '@tessera/testing';
import { sftpBatch } from './openssh';
import { startStack, type Stack } from './stack';

/**
 * The door follows `tessera settings set` without a restart: the real CLI process, the real
 * user-auth keeping the settings, and OpenSSH's sftp and ssh2-sftp-client as users.
 */
let stack: Stack;
const open: SftpClient[] = [];

// Several real `tessera` and `sftp` processes per case: seconds on a loaded machine.
jest.setTimeout(60_000);

beforeAll(async () => {
  stack = await startStack();
  for (const username of ['ivy', 'jay']) {
    await stack.createUser({ username, homeFolder: username, password: `${username}-password` });
  }
}, 60_000);
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.end().catch(() => undefined)));
});
afterAll(() => stack?.close());

/** The operator's real `tessera` executable (compiled, as installed), as a process of its own. */
const bin = path.resolve(__dirname, '../../cli/bin/tessera.js');
function tessera(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { env: { ...process.env, ...stack.env.env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    );
  });
}
const tryLogin = (port: number, username = 'ivy') =>
  sftpBatch({ port, username, password: `${username}-password` }, ['pwd']);
const logsIn = async (port: number, username = 'ivy') =>
  (await tryLogin(port, username)).code === 0;

async function connect(port: number, username: string): Promise<SftpClient> {
  const client = new SftpClient();
  await client.connect({ host: '127.0.0.1', port, username, password: `${username}-password` });
  open.push(client);
  return client;
}

async function listening(): Promise<number[]> {
  const reply = await stack.bus.request(healthPing('sftp'), {});
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value.listening.map((l) => l.port);
}

/** Where the door listens now, by the settings (the stack's port until a test moves it). */
async function sftpPort(): Promise<number> {
  const shown = await tessera(['--json', 'settings', 'show']);
  return (JSON.parse(shown.stdout) as { 'sftp.port': number })['sftp.port'];
}

describe('tessera settings', () => {
  it('shows every setting in a table, and as JSON', async () => {
    const table = await tessera(['settings', 'show']);
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(/^SETTING +VALUE +MEANING$/m);
    expect(table.stdout).toMatch(new RegExp(`^sftp\\.port +${stack.port} +the SFTP port$`, 'm'));
    expect(table.stdout).toMatch(/^ftp\.passive-address +none /m);
    expect(await sftpPort()).toBe(stack.port);
  });

  it('refuses an unknown setting or a bad value before asking (exit 2)', async () => {
    expect(await tessera(['settings', 'set', 'sftp.prot', '2'])).toMatchObject({
      code: 2,
      stderr: 'tessera: NAME: no setting named sftp.prot; `tessera settings show` lists them\n',
    });
    expect(await tessera(['settings', 'set', 'sftp.port', '70000'])).toMatchObject({
      code: 2,
      stderr: 'tessera: sftp.port: expected a port 1-65535, got 70000\n',
    });
  });
});

describe('the SFTP door follows its settings live', () => {
  it('moves to a new sftp.port: clients connect on the new one, the old refuses, open sessions carry on', async () => {
    const old = await sftpPort();
    const before = await connect(old, 'ivy');
    const port = await freePort();
    const set = await tessera(['settings', 'set', 'sftp.port', String(port)]);
    expect(set).toMatchObject({ code: 0, stdout: `sftp.port is now ${port}\n`, stderr: '' });

    expect(await eventually(async () => ((await logsIn(port)) ? true : undefined))).toBe(true);
    const refused = await tryLogin(old);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Connection refused/);
    expect(await listening()).toEqual([port]);
    expect(await before.list('/')).toEqual([]);
  });

  it('refuses new sessions while sftp.enabled is false, and accepts them again when true', async () => {
    const port = await sftpPort();
    expect((await tessera(['settings', 'set', 'sftp.enabled', 'false'])).code).toBe(0);
    expect(await eventually(async () => ((await logsIn(port)) ? undefined : true))).toBe(true);
    expect((await tryLogin(port)).stderr).toMatch(/Connection refused/);
    expect(await listening()).toEqual([]);

    expect(await tessera(['settings', 'set', 'sftp.enabled', 'true'])).toMatchObject({
      code: 0,
      stdout: 'sftp.enabled is now true\n',
    });
    expect(await eventually(async () => ((await logsIn(port)) ? true : undefined))).toBe(true);
    expect(await listening()).toEqual([port]);
  });

  it('refuses a port another door has, naming both settings, and stays where it is', async () => {
    const port = await sftpPort();
    const shown = JSON.parse((await tessera(['--json', 'settings', 'show'])).stdout) as Record<
      string,
      number
    >;
    const refused = await tessera(['settings', 'set', 'sftp.port', String(shown['ftp.port'])]);
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `tessera: sftp.port and ftp.port would both use port ${shown['ftp.port']}; two doors cannot share one port\n`,
    });
    const overlap = await tessera(['settings', 'set', 'ftp.passive-ports', `${port}-${port + 5}`]);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain(
      `ftp.passive-ports ${port}-${port + 5} would include sftp.port`,
    );
    expect(await sftpPort()).toBe(port);
    expect(await logsIn(port)).toBe(true);
  });

  it('holds a lower sftp.max-users for new logins', async () => {
    const port = await sftpPort();
    await connect(port, 'ivy');
    expect((await tessera(['settings', 'set', 'sftp.max-users', '1'])).code).toBe(0);
    const full = await eventually(async () => {
      const attempt = await tryLogin(port, 'jay');
      return attempt.code === 0 ? undefined : attempt;
    });
    expect(full.stderr).toContain('the server allows 1 SFTP users at once and is full');
    expect((await tessera(['settings', 'set', 'sftp.max-users', '100'])).code).toBe(0);
    expect(await eventually(async () => ((await logsIn(port, 'jay')) ? true : undefined))).toBe(
      true,
    );
  });

  it('holds a lower sftp.max-connections-per-user for new logins, and counts the refusals', async () => {
    const port = await sftpPort();
    await connect(port, 'ivy');
    expect((await tessera(['settings', 'set', 'sftp.max-connections-per-user', '1'])).code).toBe(0);
    const over = await eventually(async () => {
      const attempt = await tryLogin(port, 'ivy');
      return attempt.code === 0 ? undefined : attempt;
    });
    expect(over.stderr).toContain('ivy already has 1 SFTP connections, the most allowed');
    const status = await tessera(['status']);
    expect(status.stdout).toMatch(
      /^sftp: 1 connection, 1 user; refused since start: .*\d+ per-user limit/m,
    );
    expect((await tessera(['settings', 'set', 'sftp.max-connections-per-user', '32'])).code).toBe(
      0,
    );
    expect(await eventually(async () => ((await logsIn(port, 'ivy')) ? true : undefined))).toBe(
      true,
    );
  });

  it('logs and drops garbage on settings.changed, and keeps serving', async () => {
    const port = await sftpPort();
    const subject = stack.bus.prefix + settingsChanged.subject;
    stack.bus.connection.publish(subject, new TextEncoder().encode('not json'));
    stack.bus.connection.publish(
      subject,
      new TextEncoder().encode(JSON.stringify({ settings: { 'sftp.port': 1 }, changed: [] })),
    );
    await eventually(() =>
      stack.log.records().filter((r) => r.msg === 'a malformed settings.changed was dropped')
        .length === 2
        ? true
        : undefined,
    );
    expect(await listening()).toEqual([port]);
    expect(await logsIn(port)).toBe(true);
  });
});
