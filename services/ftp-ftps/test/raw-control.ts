import { connect, type Socket } from 'node:net';

/**
 * A bare TCP control connection, for what no well-behaved client would do: commands before TLS,
 * on a secure-only server. `next()` answers the next complete reply (multi-line ones whole).
 */
export class RawControl {
  private buffer = '';
  private readonly waiting: ((reply: string) => void)[] = [];
  private readonly replies: string[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.drain();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawControl> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawControl(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends a command line and answers its reply. */
  async ask(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.next();
  }

  next(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): void {
    this.socket.destroy();
  }

  private drain(): void {
    for (;;) {
      const reply = takeReply(this.buffer);
      if (!reply) return;
      this.buffer = this.buffer.slice(reply.length);
      const waiter = this.waiting.shift();
      if (waiter) waiter(reply.trimEnd());
      else this.replies.push(reply.trimEnd());
    }
  }
}

/** The first complete reply in `text`: "123 x\r\n", or "123-…\r\n…\r\n123 y\r\n". */
function takeReply(text: string): string | null {
  const first = /^(\d{3})([ -])[^\n]*\n/.exec(text);
  if (!first) return null;
  if (first[2] === ' ') return first[0];
  const end = new RegExp(`\\n${first[1]} [^\\n]*\\n`).exec(text);
  return end ? text.slice(0, end.index + end[0].length) : null;
}
