import { attrsLength, writeAttrs, type Attrs } from './attrs';
import { ResponseType, Status, type StatusCode } from './protocol';

/** One name in a NAME reply: the bare name, the `ls -l` line clients print, its attributes. */
export interface NameEntry {
  filename: string;
  longname: string;
  attrs: Attrs;
}

/** What a handler answers; `encodeReply` turns it into bytes with the request id. */
export type Reply =
  | { kind: 'status'; code: StatusCode; message: string }
  | { kind: 'handle'; handle: Buffer }
  | { kind: 'data'; data: Buffer }
  | { kind: 'name'; entries: NameEntry[] }
  | { kind: 'attrs'; attrs: Attrs }
  | { kind: 'extended'; body: Buffer };

export const ok = (message = 'OK'): Reply => ({ kind: 'status', code: Status.OK, message });
export const status = (code: StatusCode, message: string): Reply => ({
  kind: 'status',
  code,
  message,
});

/** The header every response starts with: length, type, request id. */
const headerLength = 4 + 1 + 4;

export function encodeReply(id: number, reply: Reply): Buffer {
  switch (reply.kind) {
    case 'status':
      return encodeStatus(id, reply.code, reply.message);
    case 'handle':
      return withBody(ResponseType.HANDLE, id, 4 + reply.handle.length, (buf, at) =>
        writeBytes(buf, at, reply.handle),
      );
    case 'data':
      return withBody(ResponseType.DATA, id, 4 + reply.data.length, (buf, at) =>
        writeBytes(buf, at, reply.data),
      );
    case 'name':
      return encodeName(id, reply.entries);
    case 'attrs':
      return withBody(ResponseType.ATTRS, id, attrsLength(reply.attrs), (buf, at) =>
        writeAttrs(buf, at, reply.attrs),
      );
    case 'extended':
      return withBody(
        ResponseType.EXTENDED_REPLY,
        id,
        reply.body.length,
        (buf, at) => at + reply.body.copy(buf, at),
      );
  }
}

function encodeStatus(id: number, code: StatusCode, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  return withBody(ResponseType.STATUS, id, 4 + 4 + text.length + 4, (buf, at) => {
    at = buf.writeUInt32BE(code, at);
    at = writeBytes(buf, at, text);
    return buf.writeUInt32BE(0, at); // empty language tag
  });
}

function encodeName(id: number, entries: NameEntry[]): Buffer {
  const encoded = entries.map((entry) => ({
    filename: Buffer.from(entry.filename, 'utf8'),
    longname: Buffer.from(entry.longname, 'utf8'),
    attrs: entry.attrs,
  }));
  const length = encoded.reduce(
    (sum, e) => sum + 8 + e.filename.length + e.longname.length + attrsLength(e.attrs),
    4,
  );
  return withBody(ResponseType.NAME, id, length, (buf, at) => {
    at = buf.writeUInt32BE(encoded.length, at);
    for (const e of encoded) {
      at = writeBytes(buf, at, e.filename);
      at = writeBytes(buf, at, e.longname);
      at = writeAttrs(buf, at, e.attrs);
    }
    return at;
  });
}

/** Allocates one buffer for the whole packet and lets `fill` write the body after the header. */
function withBody(
  type: number,
  id: number,
  bodyLength: number,
  fill: (buf: Buffer, at: number) => number,
): Buffer {
  const buf = Buffer.allocUnsafe(headerLength + bodyLength);
  buf.writeUInt32BE(1 + 4 + bodyLength, 0);
  buf.writeUInt8(type, 4);
  buf.writeUInt32BE(id, 5);
  const end = fill(buf, headerLength);
  if (end !== buf.length) throw new Error(`reply length mismatch: ${end} != ${buf.length}`);
  return buf;
}

export function writeBytes(buf: Buffer, at: number, bytes: Buffer): number {
  at = buf.writeUInt32BE(bytes.length, at);
  return at + bytes.copy(buf, at);
}

/** A length-prefixed string on its own, for building extension bodies. */
export function sshString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const out = Buffer.allocUnsafe(4 + bytes.length);
  writeBytes(out, 0, bytes);
  return out;
}

export function uint64s(values: number[]): Buffer {
  const out = Buffer.allocUnsafe(8 * values.length);
  values.forEach((v, i) => out.writeBigUInt64BE(BigInt(Math.max(0, Math.floor(v))), 8 * i));
  return out;
}
