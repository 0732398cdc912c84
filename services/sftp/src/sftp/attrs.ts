import { AttrFlag } from './protocol';
import { PacketReader } from './packet-reader';

/** The ATTRS structure of SFTP v3; absent fields are undefined. Times are Unix seconds. */
export interface Attrs {
  size?: number;
  uid?: number;
  gid?: number;
  permissions?: number;
  atime?: number;
  mtime?: number;
}

export function readAttrs(reader: PacketReader): Attrs {
  const flags = reader.uint32();
  const attrs: Attrs = {};
  if (flags & AttrFlag.SIZE) attrs.size = reader.uint64();
  if (flags & AttrFlag.UIDGID) {
    attrs.uid = reader.uint32();
    attrs.gid = reader.uint32();
  }
  if (flags & AttrFlag.PERMISSIONS) attrs.permissions = reader.uint32();
  if (flags & AttrFlag.ACMODTIME) {
    attrs.atime = reader.uint32();
    attrs.mtime = reader.uint32();
  }
  if (flags & AttrFlag.EXTENDED) {
    // Vendor attributes: read past them; we set none of them.
    for (let count = reader.uint32(); count > 0; count--) {
      reader.bytes();
      reader.bytes();
    }
  }
  return attrs;
}

/** The fields present, in wire order: flags say which, times and ids travel in pairs. */
function present(attrs: Attrs) {
  const ids = attrs.uid !== undefined && attrs.gid !== undefined ? [attrs.uid, attrs.gid] : null;
  const times =
    attrs.atime !== undefined && attrs.mtime !== undefined ? [attrs.atime, attrs.mtime] : null;
  return { size: attrs.size, ids, permissions: attrs.permissions, times };
}

export function attrsLength(attrs: Attrs): number {
  const p = present(attrs);
  return (
    4 +
    (p.size !== undefined ? 8 : 0) +
    (p.ids ? 8 : 0) +
    (p.permissions !== undefined ? 4 : 0) +
    (p.times ? 8 : 0)
  );
}

/** Writes `attrs` at `offset`; returns the offset after them. */
export function writeAttrs(target: Buffer, offset: number, attrs: Attrs): number {
  const p = present(attrs);
  const flags =
    (p.size !== undefined ? AttrFlag.SIZE : 0) |
    (p.ids ? AttrFlag.UIDGID : 0) |
    (p.permissions !== undefined ? AttrFlag.PERMISSIONS : 0) |
    (p.times ? AttrFlag.ACMODTIME : 0);
  let at = target.writeUInt32BE(flags, offset);
  if (p.size !== undefined) at = target.writeBigUInt64BE(BigInt(p.size), at);
  for (const id of p.ids ?? []) at = target.writeUInt32BE(id, at);
  if (p.permissions !== undefined) at = target.writeUInt32BE(p.permissions >>> 0, at);
  for (const time of p.times ?? []) at = target.writeUInt32BE(time >>> 0, at);
  return at;
}
