import { OversizedPacket, PacketFramer } from './framer';

const packet = (body: Buffer) => {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
};

describe('PacketFramer', () => {
  it('cuts packets out of pieces of any size, across piece boundaries', () => {
    const bodies = [Buffer.from('first'), Buffer.alloc(70_000, 7), Buffer.from('x')];
    const stream = Buffer.concat(bodies.map(packet));
    for (const pieceSize of [1, 3, 5, 32 * 1024, stream.length]) {
      const framer = new PacketFramer(100_000);
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length; at += pieceSize) {
        out.push(...framer.push(stream.subarray(at, at + pieceSize)));
      }
      expect(out).toEqual(bodies);
    }
  });

  it('refuses a packet longer than the limit, and an empty one', () => {
    expect(() => new PacketFramer(10).push(packet(Buffer.alloc(11)))).toThrow(OversizedPacket);
    expect(() => new PacketFramer(10).push(Buffer.alloc(4))).toThrow(OversizedPacket);
  });
});
