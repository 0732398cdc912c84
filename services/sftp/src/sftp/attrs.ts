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

export function attrsLength(attrs: Attrs): number {
  let length = 4;
  if (attrs.size !== undefined) length += 8;
  if (attrs.uid !== undefined && attrs.gid !== undefined) length += 8;
  if (attrs.permissions !== undefined) length += 4;
  if (attrs.atime !== undefined && attrs.mtime !== undefined) length += 8;
  return length;
}

/** Writes `attrs` at `offset`; returns the offset after them. */
export function writeAttrs(target: Buffer, offset: number, attrs: Attrs): number {
  let flags = 0;
  if (attrs.size !== undefined) flags |= AttrFlag.SIZE;
  if (attrs.uid !== undefined && attrs.gid !== undefined) flags |= AttrFlag.UIDGID;
  if (attrs.permissions !== undefined) flags |= AttrFlag.PERMISSIONS;
  if (attrs.atime !== undefined && attrs.mtime !== undefined) flags |= AttrFlag.ACMODTIME;
  let at = target.writeUInt32BE(flags, offset);
  if (attrs.size !== undefined) at = target.writeBigUInt64BE(BigInt(attrs.size), at);
  if (flags & AttrFlag.UIDGID) {
    at = target.writeUInt32BE(attrs.uid!, at);
    at = target.writeUInt32BE(attrs.gid!, at);
  }
  if (attrs.permissions !== undefined) at = target.writeUInt32BE(attrs.permissions >>> 0, at);
  if (flags & AttrFlag.ACMODTIME) {
    at = target.writeUInt32BE(attrs.atime! >>> 0, at);
    at = target.writeUInt32BE(attrs.mtime! >>> 0, at);
  }
  return at;
}
