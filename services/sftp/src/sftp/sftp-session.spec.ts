import { Duplex } from 'node:stream';
import pino from 'pino';
import type { FileSession } from '@tessera/storage';
import type { SftpContext } from './context';
import { OpenHandles } from './open-handles';
import { RequestType, ResponseType } from './protocol';
import { SftpSession } from './sftp-session';

/** An SSH channel stand-in: what the session writes is kept, what the test pushes is read. */
function fakeChannel() {
  const written: Buffer[] = [];
  const channel = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk);
      done();
    },
  });
  return { channel, written };
}

function packet(type: number, ...fields: Buffer[]): Buffer {
  const body = Buffer.concat([Buffer.from([type]), ...fields]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const text = (s: string) => Buffer.concat([uint32(Buffer.byteLength(s)), Buffer.from(s)]);
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The request ids of the replies written so far (after VERSION). */
const answeredIds = (written: Buffer[]) =>
  written.filter((b) => b[4] !== ResponseType.VERSION).map((b) => b.readUInt32BE(5));

describe('SftpSession', () => {
  it('keeps reading requests after a handler fails in an unexpected way', async () => {
    const { channel, written } = fakeChannel();
    // The log destination itself fails (a full disk, a closed pipe): the error path throws too.
    const brokenLog = pino(
      { level: 'info' },
      {
        write() {
          throw new Error('the log cannot be written');
        },
      },
    );
    const files = {
      realpath: async (path: string) => {
        if (path === 'boom') throw new Error('a bug in a handler');
        return '/';
      },
    } as unknown as FileSession;
    const ctx: SftpContext = {
      files,
      handles: new OpenHandles(8),
      username: 'alice',
      homesRoot: '/nowhere',
      logger: brokenLog,
    };
    new SftpSession(channel, ctx, { maxInFlight: 1, onActivity: () => undefined }).start();
    channel.push(packet(RequestType.INIT, uint32(3)));
    channel.push(packet(RequestType.REALPATH, uint32(1), text('boom')));
    await tick();
    channel.push(packet(RequestType.REALPATH, uint32(2), text('/')));
    await tick();
    expect(answeredIds(written)).toEqual([1, 2]);
    expect(channel.isPaused()).toBe(false);
  });
});
