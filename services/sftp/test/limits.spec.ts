import { connect as tcpConnect, type Socket } from 'node:net';
import SftpClient from 'ssh2-sftp-client';
import { askHealth } from '@tessera/bus';
import { eventually } from '@tessera/testing';
import { sftpBatch } from './openssh';
import { startStack, type Stack, connectAs } from './stack';

let stack: Stack;
const open: SftpClient[] = [];

beforeAll(async () => {
  stack = await startStack({
    maxUsers: 2,
    maxConnectionsPerUser: 1,
    maxConnectionsPerAddress: 4,
    idleTimeoutSeconds: 2,
    maxHandles: 4,
  });
  for (const username of ['ann', 'ben', 'cid', 'dee']) {
    await stack.createUser({ username, homeFolder: username, password: `${username}-password` });
  }
}, 60_000);

afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.end().catch(() => undefined)));
});

afterAll(() => stack?.close());

const connect = (username: string) => connectAs(stack, username, open);

const tryOpenSsh = (username: string) =>
  sftpBatch({ port: stack.port, username, password: `${username}-password` }, ['pwd']);

/** A slot is freed when the server sees the connection close, a moment after the client. */
const logsInSoon = (username: string) =>
  eventually(async () => ((await tryOpenSsh(username)).code === 0 ? true : undefined), 5000);

describe('connection limits', () => {
  it('allows each user one connection, and tells the second one why it is refused', async () => {
    const ann = await connect('ann');
    const second = await tryOpenSsh('ann');
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain('ann already has 1 SFTP connections, the most allowed');
    await ann.end();
    expect(await logsInSoon('ann')).toBe(true);
  });

  it('allows two users at once, and tells a third to try again later', async () => {
    const ben = await connect('ben');
    await connect('cid');
    const third = await tryOpenSsh('dee');
    expect(third.code).not.toBe(0);
    expect(third.stderr).toContain('the server allows 2 SFTP users at once and is full');
    await ben.end();
    expect(await logsInSoon('dee')).toBe(true);
  });
});

describe('session limits', () => {
  it('caps open handles, and says so in limits@openssh.com', async () => {
    const dee = await connect('dee');
    await dee.put(Buffer.from('x'), '/x.txt');
    const raw = dee.sftp;
    const openOne = () =>
      new Promise<Buffer>((resolve, reject) =>
        raw.open('/x.txt', 'r', (err, handle) => (err ? reject(err) : resolve(handle))),
      );
    for (let i = 0; i < 4; i++) await openOne();
    await expect(openOne()).rejects.toThrow('at most 4 files and folders may be open at once');
    const verbose = await sftpBatch(
      { port: stack.port, username: 'ann', password: 'ann-password' },
      ['pwd'],
      { verbose: true },
    );
    expect(verbose.stderr).toContain('server handle limit 4; using 4');
  });

  it('closes a connection idle for longer than the idle timeout', async () => {
    jest.spyOn(console, 'log').mockImplementation(() => undefined); // ssh2-sftp-client's "end event"
    const ann = await connect('ann');
    await ann.list('/');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await expect(ann.list('/')).rejects.toThrow();
    expect(stack.log.records()).toContainEqual(
      expect.objectContaining({ username: 'ann', reason: 'idle timeout' }),
    );
  });
});

/** A client that connects and says hello, then never logs in: it holds a place until closed. */
function idleClient(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => {
      socket.write('SSH-2.0-idle_test\r\n');
      resolve({ socket, closed: new Promise((done) => socket.once('close', () => done())) });
    });
    socket.on('error', reject);
  });
}

describe('connections from one address', () => {
  it('holds four at once, ends the fifth at once, and counts the refusal for tessera status', async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => idleClient(stack.port)));
    await eventually(async () => {
      const [sftp] = await askHealth(stack.bus, ['sftp']);
      return sftp?.answers && sftp.health.connections?.connections === 4 ? true : undefined;
    }, 5000);
    const fifth = await idleClient(stack.port);
    await fifth.closed;
    expect(stack.log.records()).toContainEqual(
      expect.objectContaining({
        reason: '127.0.0.1 already has 4 SFTP connections, the most allowed from one address',
      }),
    );
    const [sftp] = await askHealth(stack.bus, ['sftp']);
    expect(sftp).toMatchObject({ health: { connections: { refused: { 'per-address': 1 } } } });
    for (const { socket } of held) socket.destroy();
    await eventually(async () => ((await tryOpenSsh('ann')).code === 0 ? true : undefined), 5000);
  });
});
