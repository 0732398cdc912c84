import { BadMessage, PacketReader } from './packet-reader';

describe('PacketReader', () => {
  it('reads uint32, uint64 and strings in order', () => {
    const body = Buffer.alloc(4 + 8 + 4 + 3);
    body.writeUInt32BE(7, 0);
    body.writeBigUInt64BE(2n ** 40n, 4);
    body.writeUInt32BE(3, 12);
    body.write('abc', 16);
    const reader = new PacketReader(body);
    expect([reader.uint32(), reader.uint64(), reader.text(), reader.remaining]).toEqual([
      7,
      2 ** 40,
      'abc',
      0,
    ]);
  });

  it('refuses truncated fields, lying lengths and offsets beyond 2^53', () => {
    expect(() => new PacketReader(Buffer.alloc(3)).uint32()).toThrow(BadMessage);
    const lying = Buffer.alloc(6);
    lying.writeUInt32BE(100, 0);
    expect(() => new PacketReader(lying).bytes()).toThrow(BadMessage);
    const huge = Buffer.alloc(8);
    huge.writeBigUInt64BE(2n ** 60n);
    expect(() => new PacketReader(huge).uint64()).toThrow(/too large/);
  });
});
