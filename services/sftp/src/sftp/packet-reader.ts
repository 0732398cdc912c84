/** A request that does not parse: answered with SSH_FX_BAD_MESSAGE, the session goes on. */
export class BadMessage extends Error {
  constructor(what: string) {
    super(`malformed request: ${what}`);
    this.name = 'BadMessage';
  }
}

/**
 * Reads the fields of one SFTP packet body in order (uint32, uint64, string). Every read checks
 * the bounds: a short or lying packet becomes a BadMessage, never a read past the buffer.
 */
export class PacketReader {
  private position = 0;

  constructor(private readonly body: Buffer) {}

  uint32(): number {
    this.need(4, 'uint32');
    const value = this.body.readUInt32BE(this.position);
    this.position += 4;
    return value;
  }

  /** A uint64 as a JS number: offsets and sizes above 2^53 are refused, not rounded. */
  uint64(): number {
    this.need(8, 'uint64');
    const value = this.body.readBigUInt64BE(this.position);
    this.position += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new BadMessage('a 64-bit value is too large');
    return Number(value);
  }

  /** A length-prefixed byte string, as a view into the packet (no copy). */
  bytes(): Buffer {
    const length = this.uint32();
    this.need(length, 'string');
    const value = this.body.subarray(this.position, this.position + length);
    this.position += length;
    return value;
  }

  /** A length-prefixed UTF-8 string (paths, extension names). */
  text(): string {
    return this.bytes().toString('utf8');
  }

  get remaining(): number {
    return this.body.length - this.position;
  }

  private need(count: number, what: string): void {
    if (this.position + count > this.body.length) throw new BadMessage(`truncated ${what}`);
  }
}
