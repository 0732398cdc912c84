/** The client sent a packet longer than we said we accept: the stream cannot be trusted. */
export class OversizedPacket extends Error {
  constructor(readonly length: number) {
    super(`an SFTP packet of ${length} bytes is over the limit`);
    this.name = 'OversizedPacket';
  }
}

/**
 * Cuts the channel's byte stream into SFTP packets (uint32 length, then that many bytes). SSH
 * delivers data in pieces of up to 32 KiB, so a 255 KiB WRITE arrives in about eight: a packet
 * that sits inside one piece is handed on as a view, others are copied once into one buffer.
 */
export class PacketFramer {
  private pieces: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxPacketLength: number) {}

  /** Adds a piece of the stream and returns the packets (type byte onwards) it completed. */
  push(piece: Buffer): Buffer[] {
    this.pieces.push(piece);
    this.buffered += piece.length;
    const packets: Buffer[] = [];
    for (;;) {
      if (this.buffered < 4) break;
      const length = this.peekLength();
      if (length > this.maxPacketLength || length === 0) throw new OversizedPacket(length);
      if (this.buffered < 4 + length) break;
      packets.push(this.take(4 + length).subarray(4));
    }
    return packets;
  }

  private peekLength(): number {
    const first = this.pieces[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return this.copyOut(4).readUInt32BE(0);
  }

  /** Removes `count` bytes from the front: a view when they lie in one piece, else a copy. */
  private take(count: number): Buffer {
    const first = this.pieces[0]!;
    let out: Buffer;
    if (first.length >= count) {
      out = first.subarray(0, count);
    } else {
      out = this.copyOut(count);
    }
    this.drop(count);
    return out;
  }

  private copyOut(count: number): Buffer {
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    for (const piece of this.pieces) {
      filled += piece.copy(out, filled, 0, Math.min(piece.length, count - filled));
      if (filled === count) break;
    }
    return out;
  }

  private drop(count: number): void {
    this.buffered -= count;
    while (count > 0) {
      const first = this.pieces[0]!;
      if (first.length <= count) {
        this.pieces.shift();
        count -= first.length;
      } else {
        this.pieces[0] = first.subarray(count);
        count = 0;
      }
    }
  }
}
