import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BusClient } from '@tessera/bus';
import { authPasswordVerify, usersKeysList } from '@tessera/contracts';
import {
  eventually,
  makeKey,
  startTestStack,
  type TestEnvironment,
  type TestStack,
} from '@tessera/testing';
import { runTessera } from './run-tessera';

// Each case starts several real `tessera` processes; on a loaded 2-core machine that is seconds.
jest.setTimeout(60_000);

let stack: TestStack;
let env: TestEnvironment;
let tmp: string;

beforeAll(async () => {
  // A stricter lockout policy than the default, to show the settings are honoured.
  stack = await startTestStack(['user-auth'], {
    TESSERA_LOCKOUT_USER_FAILURES: '2',
    TESSERA_LOCKOUT_ADDRESS_FAILURES: '3',
  });
  env = stack.env;
  tmp = await mkdtemp(path.join(os.tmpdir(), 'tessera-cli-'));
});
afterAll(async () => {
  await stack?.close();
  await rm(tmp, { recursive: true, force: true });
});

/** The real `tessera` executable, against this test's services. */
function tessera(args: string[], extraEnv: Record<string, string> = {}, stdin?: string) {
  return runTessera({ ...env.env, ...extraEnv }, args, stdin);
}

describe('tessera users', () => {
  it('adds a user with a generated password, printed once, and shows them', async () => {
    const added = await tessera([
      'users',
      'add',
      'alice',
      '--home',
      'alice',
      '--generate-password',
    ]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toMatch(
      /^created user alice \(home folder alice\)\npassword: [A-Za-z0-9]{28}\n$/,
    );

    const shown = await tessera(['users', 'show', 'alice']);
    expect(shown.stdout).toMatch(/home folder {2}alice/);
    const listed = await tessera(['--json', 'users', 'list']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ username: 'alice', enabled: true }),
    ]);
  });

  it('creates the first administrator with a password from standard input', async () => {
    const added = await tessera(
      ['users', 'add', 'root-admin', '--home', 'admins/root', '--password-stdin', '--admin'],
      {},
      'a long admin password\n',
    );
    expect(added.code).toBe(0);
    const shown = await tessera(['users', 'show', 'root-admin']);
    expect(shown.stdout).toMatch(/user {9}root-admin \(administrator\)/);
  });

  it('disables, enables, changes privileges and deletes', async () => {
    await tessera(['users', 'add', 'bob', '--home', 'bob', '--password', 'bob-password-1']);
    expect((await tessera(['users', 'disable', 'bob'])).stdout).toBe('bob is disabled\n');
    expect((await tessera(['users', 'enable', 'bob'])).stdout).toBe('bob is enabled\n');
    expect(
      (await tessera(['users', 'update', 'bob', '--privileges', 'list,download'])).stdout,
    ).toMatch(/privileges {3}list, download/);
    expect((await tessera(['users', 'passwd', 'bob', '--generate'])).stdout).toMatch(
      /^password for bob: [A-Za-z0-9]{28}\n$/,
    );
    expect(await tessera(['users', 'delete', 'bob'])).toMatchObject({
      code: 0,
      stdout: "deleted user bob; the home folder's files were kept\n",
    });
  });

  it('fails clearly, with a non-zero exit, on bad input', async () => {
    expect(await tessera(['users', 'add', 'alice', '--home', 'again'])).toMatchObject({
      code: 1,
      stderr: 'tessera: user alice already exists\n',
    });
    expect(await tessera(['users', 'show', 'nobody'])).toMatchObject({
      code: 1,
      stderr: 'tessera: no user named nobody\n',
    });
    expect((await tessera(['users', 'add', 'z'])).code).toBe(2);
    expect((await tessera(['frobnicate'])).code).toBe(2);
  });

  it('sets, shows, changes and removes a quota, and names the option when a size is bad', async () => {
    const added = await tessera(['users', 'add', 'quinn', '--home', 'quinn', '--quota', '10G']);
    expect(added.code).toBe(0);
    expect((await tessera(['users', 'show', 'quinn'])).stdout).toMatch(/^quota {8}10 GiB$/m);
    await tessera(['users', 'update', 'quinn', '--quota', '512M']);
    const shown = JSON.parse((await tessera(['--json', 'users', 'show', 'quinn'])).stdout);
    expect(shown.quotaBytes).toBe(512 * 1024 ** 2);
    await tessera(['users', 'update', 'quinn', '--quota', 'none']);
    expect((await tessera(['users', 'show', 'quinn'])).stdout).toMatch(/^quota {8}none$/m);
    expect(await tessera(['users', 'update', 'quinn', '--quota', '10X'])).toMatchObject({
      code: 2,
      stderr:
        'tessera: --quota: expected a size in bytes, or with K, M, G or T (binary), such as 500G or 1T, or none\n',
    });
  });

  it('says how to fix it when NATS cannot be reached', async () => {
    const down = await tessera(['users', 'list'], { NATS_URL: 'nats://127.0.0.1:1' });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/cannot reach NATS at nats:\/\/127.0.0.1:1 .*is Tessera running/);
  });
});

describe('tessera keys and folder-sets', () => {
  it('adds a key from a .pub file and lists it with the ssh-keygen fingerprint', async () => {
    const key = makeKey(tmp, 'id_ed25519', 'ed25519');
    expect(await tessera(['keys', 'add', 'alice', key.publicFile])).toMatchObject({
      code: 0,
      stdout: `added ssh-ed25519 ${key.fingerprint} id_ed25519@test for alice\n`,
    });
    expect((await tessera(['keys', 'list', 'alice'])).stdout).toContain(key.fingerprint);
    expect(await tessera(['keys', 'remove', 'alice', key.fingerprint])).toMatchObject({ code: 0 });
  });

  it('refuses a DSA key file and a missing file', async () => {
    const dsa = makeKey(tmp, 'id_dsa', 'dsa');
    expect(await tessera(['keys', 'add', 'alice', dsa.publicFile])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('DSA keys (ssh-dss) are refused'),
    });
    expect(await tessera(['keys', 'add', 'alice', path.join(tmp, 'nope.pub')])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no such file'),
    });
    await writeFile(path.join(tmp, 'empty.pub'), '# nothing\n');
    expect((await tessera(['keys', 'add', 'alice', path.join(tmp, 'empty.pub')])).stderr).toContain(
      'holds no key line',
    );
  });

  it('creates, assigns and explains a folder set', async () => {
    const added = await tessera([
      'folder-sets',
      'add',
      'partners',
      '--rule',
      '/=list,download',
      '--rule',
      '/inbox=list,upload',
    ]);
    expect(added.code).toBe(0);
    expect((await tessera(['folder-sets', 'assign', 'alice', 'partners'])).stdout).toBe(
      'alice now uses folder set partners\n',
    );
    expect((await tessera(['users', 'privileges', 'alice', '/inbox/report.pdf'])).stdout).toBe(
      '/inbox/report.pdf: list, upload\n(folder-set rule for /inbox)\n',
    );
    expect((await tessera(['folder-sets', 'list'])).stdout).toMatch(
      /partners\n {2}FOLDER +PRIVILEGES\n {2}\/ +list,download\n {2}\/inbox +list,upload/,
    );
    expect((await tessera(['folder-sets', 'add', 'bad', '--rule', 'inbox'])).code).toBe(2);
  });
});

const privilegeChoice =
  'choose from list, download, upload, overwrite, append, delete-files, create-folders, delete-folders, rename';

describe("messages in the operator's words", () => {
  it('names the option or argument at fault, with one message each, and exits 2', async () => {
    const cases: [string[], string][] = [
      [
        ['users', 'add', 'x', '--home', '/etc'],
        '--home: a home folder is relative to the storage root (no leading "/")',
      ],
      [
        ['users', 'add', 'x', '--home', '../etc'],
        '--home: a home folder has no empty, "." or ".." segment',
      ],
      [
        ['users', 'add', 'y', '--home', 'y', '--privileges', 'list,fly'],
        `--privileges: unknown privilege fly; ${privilegeChoice}`,
      ],
      [
        ['users', 'add', 'bad name!', '--home', 'x'],
        'NAME: a username is 1-64 characters: letters, digits and . _ @ -, starting with a letter or digit',
      ],
      [
        ['users', 'add', 'y', '--home', 'y', '--password', 'short'],
        '--password: a password has at least 8 characters',
      ],
      [
        ['folder-sets', 'add', 'bad name!', '--rule', '/=list'],
        'NAME: a folder-set name is 1-64 characters: letters, digits and . _ @ -, starting with a letter or digit',
      ],
      [
        ['folder-sets', 'add', 'in', '--rule', '/=list', '--rule', 'inbox=list'],
        '--rule inbox: a folder rule path starts with "/"',
      ],
      [
        ['folder-sets', 'add', 'in', '--rule', '/inbox=list,fly'],
        `--rule /inbox=list,fly: unknown privilege fly; ${privilegeChoice}`,
      ],
      [
        ['folder-sets', 'add', 'in', '--rule', 'inbox'],
        '--rule inbox: a rule is PATH=PRIVILEGES, e.g. /inbox=list,upload',
      ],
      [
        ['users', 'show', 'no/such'],
        'NAME: a username is 1-64 characters: letters, digits and . _ @ -, starting with a letter or digit',
      ],
    ];
    const results = await Promise.all(cases.map(([args]) => tessera(args)));
    results.forEach((result, i) =>
      expect({ args: cases[i]![0], ...result }).toEqual({
        args: cases[i]![0],
        code: 2,
        stdout: '',
        stderr: `tessera: ${cases[i]![1]}\n`,
      }),
    );
  });

  it("names the --rule the service refuses, and a folder set's new name", async () => {
    expect(
      await tessera(['folder-sets', 'add', 'twice', '--rule', '/a=list', '--rule', '/a/=upload']),
    ).toMatchObject({
      code: 2,
      stderr: 'tessera: --rule /a/: the folder /a has two rules; give it one\n',
    });
    expect(await tessera(['folder-sets', 'add', 'once', '--rule', '/=list'])).toMatchObject({
      code: 0,
    });
    expect(
      await tessera(['folder-sets', 'update', 'once', '--rule', '/=list', '--rename', 'two words']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^tessera: --rename: a folder-set name is 1-64 characters/),
    });
  });

  it('exits 2 on a bad environment value, naming the variable', async () => {
    const [url, level] = await Promise.all([
      tessera(['users', 'list'], { NATS_URL: 'nonsense' }),
      tessera(['users', 'list'], { TESSERA_LOG_LEVEL: 'loud' }),
    ]);
    expect(url).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/NATS_URL: expected a nats:\/\/ URL/),
    });
    expect(level).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/TESSERA_LOG_LEVEL: expected one of/),
    });
  });

  it('warns, and succeeds, when a new user has no way to log in yet', async () => {
    expect(await tessera(['users', 'add', 'carol', '--home', 'carol'])).toEqual({
      code: 0,
      stdout: 'created user carol (home folder carol)\n',
      stderr:
        'tessera: warning: carol cannot log in until you give them a password (tessera users passwd carol) or a key (tessera keys add carol FILE.pub)\n',
    });
    expect(
      await tessera([
        'users',
        'add',
        'dora',
        '--home',
        'dora',
        '--key-only',
        '--password',
        'dora-password',
      ]),
    ).toMatchObject({
      code: 0,
      stderr:
        'tessera: warning: dora cannot log in until you give them a key (tessera keys add dora FILE.pub): the account is key-only\n',
    });
    expect(
      await tessera(['users', 'add', 'erin', '--home', 'erin', '--password', 'erin-password']),
    ).toMatchObject({ code: 0, stderr: '' });
  });

  it('warns about a key the user already has, and names the owner of a key someone else has', async () => {
    const key = makeKey(tmp, 'carol_ed25519', 'ed25519');
    expect(await tessera(['keys', 'add', 'carol', key.publicFile])).toMatchObject({
      code: 0,
      stderr: '',
    });
    expect(await tessera(['keys', 'add', 'carol', key.publicFile])).toEqual({
      code: 0,
      stdout: 'no new key for carol\n',
      stderr: `tessera: warning: carol already has this key (${key.fingerprint}); nothing to add\n`,
    });
    expect(await tessera(['keys', 'add', 'erin', key.publicFile])).toEqual({
      code: 1,
      stdout: '',
      stderr: `tessera: this key (${key.fingerprint}) already belongs to carol; a key logs in one user only\n`,
    });
  });

  it('refuses an update that asks for nothing, and warns when the settings are already so', async () => {
    expect(await tessera(['users', 'update', 'erin'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'tessera: nothing to change: give --home, --privileges, --quota, --key-only, --allow-password, --admin or --no-admin\n',
    });
    const same = await tessera(['users', 'update', 'erin', '--home', 'erin', '--no-admin']);
    expect(same).toMatchObject({
      code: 0,
      stderr: 'tessera: warning: nothing changed: erin already has these settings\n',
    });
    expect(same.stdout).not.toMatch(/^updated/);
    expect(await tessera(['users', 'update', 'erin', '--home', 'erin2'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^updated erin\n/),
      stderr: '',
    });
  });
});

describe('tessera users unlock (policy here: 2 failures lock a user from an address, 3 an address)', () => {
  /** Sends logins as a door does: the CLI itself may never check a password. */
  let door: BusClient;
  beforeAll(async () => {
    door = await BusClient.connect(env.config, 'cli-test-door');
    await tessera(['users', 'add', 'ivy', '--home', 'ivy', '--password', 'ivy-password-1']);
  });
  afterAll(() => door?.close());
  const login = (username: string, password: string, remoteAddress: string) =>
    door.request(authPasswordVerify, { username, password, protocol: 'sftp', remoteAddress });

  it('shows the lock two failed logins from one address put on a user there, lifts it, and the user logs in', async () => {
    await login('ivy', 'wrong-password-1', '192.0.2.31');
    expect((await tessera(['users', 'show', 'ivy'])).stdout).toMatch(/^locked {7}no$/m);
    await login('ivy', 'wrong-password-2', '192.0.2.31');
    expect(await login('ivy', 'ivy-password-1', '192.0.2.31')).toMatchObject({
      ok: false,
      error: { code: 'locked' },
    });
    expect(await login('ivy', 'ivy-password-1', '192.0.2.33')).toMatchObject({ ok: true });

    expect((await tessera(['users', 'show', 'ivy'])).stdout).toMatch(
      /^locked {7}passwords from 192\.0\.2\.31 until \S+ \(too many failed logins; keys still log in; `tessera users unlock ivy --address 192\.0\.2\.31` lifts it\)$/m,
    );
    const shown = JSON.parse((await tessera(['--json', 'users', 'show', 'ivy'])).stdout);
    expect(shown).toMatchObject({
      username: 'ivy',
      locks: [{ username: 'ivy', address: '192.0.2.31', until: expect.any(String) }],
    });
    const until = shown.locks[0].until as string;
    expect(Date.parse(until)).toBeGreaterThan(Date.now() + 14 * 60_000);

    expect(await tessera(['users', 'unlock', 'ivy', '--address', '192.0.2.31'])).toMatchObject({
      code: 0,
      stdout: `lifted the lock on ivy from 192.0.2.31 (it would have held until ${until})\n`,
    });
    expect(await login('ivy', 'ivy-password-1', '192.0.2.31')).toMatchObject({ ok: true });
    expect((await tessera(['--json', 'users', 'show', 'ivy'])).stdout).toContain('"locks": []');
    expect((await tessera(['users', 'unlock', 'ivy'])).stdout).toBe(
      'ivy was not locked; its failed-login count is reset\n',
    );
  });

  it('lifts the lock that three failures from one address put on it', async () => {
    for (const guess of ['guess-a', 'guess-b', 'guess-c'])
      await login(guess, 'whatever-1', '198.51.100.40');
    expect(await login('ivy', 'ivy-password-1', '198.51.100.40')).toMatchObject({
      ok: false,
      error: { code: 'locked', message: expect.stringContaining('address 198.51.100.40') },
    });
    expect(await tessera(['users', 'unlock', '--address', '198.51.100.40'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^lifted the lock on address 198\.51\.100\.40 \(it would/),
    });
    expect(await login('ivy', 'ivy-password-1', '198.51.100.40')).toMatchObject({ ok: true });
  });

  it('refuses an unlock with no target, an unknown user or a bad address', async () => {
    expect(await tessera(['users', 'unlock'])).toMatchObject({
      code: 2,
      stderr: 'tessera: give a user name, --address IP, or both\n',
    });
    expect(await tessera(['users', 'unlock', 'nobody'])).toMatchObject({
      code: 1,
      stderr: 'tessera: no user named nobody\n',
    });
    expect(await tessera(['users', 'unlock', '--address', 'not-an-ip'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('an IPv4 or IPv6 address'),
    });
  });

  it('names the variable when a lockout setting is bad', async () => {
    const bad = await tessera(['users', 'show', 'ivy'], { TESSERA_LOCKOUT_DURATION: '15m' });
    expect(bad).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('TESSERA_LOCKOUT_DURATION: expected whole seconds'),
    });
  });
});

describe('tessera keys: where each key lives', () => {
  it('lists added and keys-folder keys, and refuses to remove a keys-folder key, naming its file', async () => {
    await tessera(['users', 'add', 'jack', '--home', 'jack']);
    const added = makeKey(tmp, 'jack_added', 'ed25519');
    const fromFolder = makeKey(tmp, 'jack_folder', 'ed25519');
    await tessera(['keys', 'add', 'jack', added.publicFile]);
    const file = path.join(env.config.paths.sshKeys, 'jack.pub');
    await writeFile(file, `${fromFolder.line}\n`);
    const door = await BusClient.connect(env.config, 'cli-test-keys');
    try {
      await eventually(async () => {
        const listed = await door.request(usersKeysList, { username: 'jack' });
        return listed.ok && listed.value.keys.length === 2 ? true : undefined;
      });
    } finally {
      await door.close();
    }

    const listed = await tessera(['keys', 'list', 'jack']);
    expect(listed.stdout).toMatch(/SHA256:\S+ +jack_added@test +added +\S+\n/);
    expect(listed.stdout).toContain(added.fingerprint);
    expect(listed.stdout).toContain(
      `${fromFolder.fingerprint}  jack_folder@test  keys folder (${file})`,
    );
    expect(JSON.parse((await tessera(['--json', 'keys', 'list', 'jack'])).stdout)).toEqual([
      expect.objectContaining({ fingerprint: added.fingerprint, from: 'added' }),
      expect.objectContaining({ fingerprint: fromFolder.fingerprint, from: 'keys folder', file }),
    ]);

    expect(await tessera(['keys', 'remove', 'jack', fromFolder.fingerprint])).toEqual({
      code: 1,
      stdout: '',
      stderr: `tessera: ${fromFolder.fingerprint} comes from the keys folder: remove its line from ${file} (Tessera drops the key within seconds)\n`,
    });
    expect((await tessera(['keys', 'list', 'jack'])).stdout).toContain(fromFolder.fingerprint);
    expect((await tessera(['keys', 'remove', 'jack', added.fingerprint])).code).toBe(0);
  });
});
