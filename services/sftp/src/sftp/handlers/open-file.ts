import type { WriteIntent } from '@tessera/storage';
import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import type { PacketReader } from '../packet-reader';
import { OpenFlag } from '../protocol';
import type { Reply } from '../replies';

/**
 * The client's SSH_FXF_* flags as storage's write intent; storage decides what each needs.
 * - READ|WRITE (sshfs, editors saving in place): 'read-write', the file itself;
 * - CREAT|EXCL: 'create-exclusive' (EXCL without CREAT means nothing, as in POSIX);
 * - TRUNC (`put`): 'create', or 'overwrite' without CREAT (the file must exist) — a temporary
 *   file put in place at CLOSE, so a cut transfer never leaves a truncated file;
 * - APPEND (`reput`, `put -a`, paramiko's 'a'): 'append', every write at the end whatever
 *   offset it names (as OpenSSH's server);
 * - WRITE alone: 'resume', in place at the offsets the client sends (as a local file: a shorter
 *   rewrite keeps the old tail unless the client cuts it with FSETSTAT size).
 * CREAT lets the last two make a missing file.
 */
export function writeIntentOf(flags: number): WriteIntent {
  const has = (flag: number) => (flags & flag) !== 0;
  const create = has(OpenFlag.CREAT);
  const append = has(OpenFlag.APPEND);
  if (has(OpenFlag.READ)) {
    const exclusive = create && has(OpenFlag.EXCL);
    return { kind: 'read-write', create, exclusive, truncate: has(OpenFlag.TRUNC), append };
  }
  if (create && has(OpenFlag.EXCL)) return { kind: 'create-exclusive', append };
  if (has(OpenFlag.TRUNC)) return { kind: create ? 'create' : 'overwrite', append };
  if (append) return { kind: 'append', createMissing: create };
  return { kind: 'resume', createMissing: create };
}

/**
 * OPEN. Reading alone is a download; anything with WRITE is an upload opened as storage decides
 * from the intent. The attributes sent with OPEN (permissions) are not applied: the server owns
 * file modes.
 */
export async function openFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  const flags = request.uint32();
  readAttrs(request);
  ctx.handles.assertRoom();
  if ((flags & OpenFlag.WRITE) === 0) {
    const transfer = await ctx.files.openRead(path);
    return { kind: 'handle', handle: ctx.handles.add({ kind: 'download', transfer }) };
  }
  const transfer = await ctx.files.openUpload(path, writeIntentOf(flags));
  return { kind: 'handle', handle: ctx.handles.add({ kind: 'upload', transfer }) };
}
