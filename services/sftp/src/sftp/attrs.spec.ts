import { readAttrs, attrsLength, writeAttrs, type Attrs } from './attrs';
import { PacketReader } from './packet-reader';

describe('ATTRS', () => {
  it.each<Attrs>([
    {},
    { size: 2 ** 40 + 7 },
    {
      size: 1,
      uid: 1000,
      gid: 100,
      permissions: 0o100644,
      atime: 1_700_000_000,
      mtime: 1_600_000_000,
    },
    { permissions: 0o40755, atime: 1, mtime: 2 },
  ])('round-trips %j', (attrs) => {
    const buf = Buffer.alloc(attrsLength(attrs));
    expect(writeAttrs(buf, 0, attrs)).toBe(buf.length);
    expect(readAttrs(new PacketReader(buf))).toEqual(attrs);
  });

  it('sends ids and times only in pairs', () => {
    const buf = Buffer.alloc(attrsLength({ uid: 1, atime: 5 }));
    writeAttrs(buf, 0, { uid: 1, atime: 5 });
    expect(buf.readUInt32BE(0)).toBe(0);
  });
});
