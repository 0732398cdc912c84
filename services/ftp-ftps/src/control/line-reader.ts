import type { Duplex } from 'node:stream';

/** RFC 959 does not bound a line; 8 KiB holds any real path (4096 bytes) and a command. */
export const maxLineBytes = 8192;

/**
 * Reads command lines from the control connection (plain or TLS). Telnet IAC sequences are
 * dropped (clients send IAC IP IAC DM before ABOR). `stop()` hands back the bytes read past the
 * last line, so AUTH TLS can give them to the TLS layer instead of reading them as a command.
 */
export class LineReader {
  private pending: Buffer = Buffer.alloc(0);
  private stopped = false;
  private readonly onData = (chunk: Buffer) => this.take(chunk);

  constructor(
    private readonly socket: Duplex,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {
    socket.on('data', this.onData);
  }

  /** Stops reading at once (no further line is delivered); returns the bytes after the last line. */
  stop(): Buffer {
    this.stopped = true;
    this.socket.removeListener('data', this.onData);
    this.socket.pause();
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }

  private take(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let end: number;
    while (!this.stopped && (end = this.pending.indexOf(0x0a)) !== -1) {
      const raw = this.pending.subarray(0, end);
      this.pending = this.pending.subarray(end + 1);
      this.onLine(decodeLine(raw));
    }
    if (!this.stopped && this.pending.length > maxLineBytes) {
      this.stop();
      this.onTooLong();
    }
  }
}

/** Drops Telnet commands (IAC x; IAC IAC is a literal 0xff) and the CR before the LF. */
function decodeLine(raw: Buffer): string {
  let bytes = raw;
  if (bytes.includes(0xff)) {
    const out: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 0xff) {
        out.push(bytes[i]!);
      } else {
        if (bytes[i + 1] === 0xff) out.push(0xff);
        i++; // the byte after IAC: a command, or the second 0xff of a literal
      }
    }
    bytes = Buffer.from(out);
  }
  const text = bytes.toString('utf8');
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}
