import { StorageError, type UploadTransfer } from '@tessera/storage';
import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import type { PacketReader } from '../packet-reader';
import { OpenFlag } from '../protocol';
import type { Reply } from '../replies';

/** The client's SSH_FXF_* flags, in words. */
interface OpenIntent {
  reading: boolean;
  writing: boolean;
  create: boolean;
  /** CREAT|EXCL: only if the name is free (EXCL without CREAT means nothing, as in POSIX). */
  exclusive: boolean;
  truncate: boolean;
  append: boolean;
}

function intentOf(flags: number): OpenIntent {
  const has = (flag: number) => (flags & flag) !== 0;
  return {
    reading: has(OpenFlag.READ),
    writing: has(OpenFlag.WRITE),
    create: has(OpenFlag.CREAT),
    exclusive: has(OpenFlag.CREAT) && has(OpenFlag.EXCL),
    truncate: has(OpenFlag.TRUNC),
    append: has(OpenFlag.APPEND),
  };
}

/**
 * OPEN. Reading alone is a download. Writing maps the client's flags onto storage's ways of
 * writing:
 * - CREAT|EXCL: 'create' exclusive — storage decides atomically (a hard link at CLOSE), also for
 *   a user who may not list;
 * - TRUNC (`put`), or a new file: 'create' — a temporary file renamed into place at CLOSE, so a
 *   cut transfer never leaves a truncated file under the real name;
 * - WRITE without TRUNC on an existing file: 'resume' — written in place at the offsets the
 *   client sends (as a local file: a shorter rewrite keeps the old tail unless the client cuts
 *   it with FSETSTAT size); storage asks for 'append', and 'overwrite' for bytes below the end;
 * - APPEND (`reput`, `put -a`): every write lands at the end, whatever offset it names (as
 *   OpenSSH's server); needs 'append' for an existing file.
 * - READ|WRITE (sshfs, editors saving in place): the file itself, in place; needs 'download',
 *   and 'overwrite' for an existing file or 'upload' for a new one.
 * The attributes sent with OPEN (permissions) are not applied: the server owns file modes.
 */
export async function openFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  const intent = intentOf(request.uint32());
  readAttrs(request);
  ctx.handles.assertRoom();
  if (!intent.writing) {
    const transfer = await ctx.files.openRead(path);
    return { kind: 'handle', handle: ctx.handles.add({ kind: 'download', transfer }) };
  }
  const transfer = intent.reading
    ? await ctx.files.openReadWrite(path, intent)
    : await openForWriting(ctx, path, intent);
  return { kind: 'handle', handle: ctx.handles.add({ kind: 'upload', transfer }) };
}

async function openForWriting(
  ctx: SftpContext,
  path: string,
  { create, exclusive, truncate, append }: OpenIntent,
): Promise<UploadTransfer> {
  if (exclusive) return ctx.files.openWrite(path, { mode: 'create', exclusive, append });
  const present = await exists(ctx, path);
  if (present === false && !create) throw new StorageError('not-found', path);
  if (truncate || present === false) return ctx.files.openWrite(path, { mode: 'create', append });
  try {
    return await ctx.files.openWrite(path, { mode: 'resume', append });
  } catch (error) {
    // Existence was unknown (no 'list' here): a missing file is created when CREAT allows.
    if (error instanceof StorageError && error.code === 'not-found' && create) {
      return ctx.files.openWrite(path, { mode: 'create', append });
    }
    throw error;
  }
}

/**
 * Whether the file exists, to choose between writing in place and a fresh upload; 'unknown'
 * when the user may not look (no 'list'). Only a hint: exclusive creates never rely on it.
 */
async function exists(ctx: SftpContext, path: string): Promise<boolean | 'unknown'> {
  try {
    await ctx.files.lstat(path);
    return true;
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (error.code === 'not-found') return false;
    if (error.code === 'permission-denied') return 'unknown';
    throw error;
  }
}
