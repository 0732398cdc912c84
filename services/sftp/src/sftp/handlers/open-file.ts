import { StorageError, type UploadTransfer } from '@tessera/storage';
import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import type { PacketReader } from '../packet-reader';
import { OpenFlag, Status } from '../protocol';
import { status, type Reply } from '../replies';

/**
 * OPEN. A file is opened to read or to write, never both. Writing maps the client's flags onto
 * storage's two ways of writing:
 * - TRUNC (`put`), or a new file: 'create' — a temporary file renamed into place at CLOSE, so a
 *   cut transfer never leaves a truncated file under the real name;
 * - APPEND (`put -a`, `reput`), or WRITE without TRUNC on an existing file: 'resume' — written
 *   in place at the offsets the client sends; storage asks for 'append', and 'overwrite' for
 *   bytes below the current end.
 * The attributes sent with OPEN (permissions) are not applied: the server owns file modes.
 */
export async function openFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  const flags = request.uint32();
  readAttrs(request);
  const reading = (flags & OpenFlag.READ) !== 0;
  const writing = (flags & OpenFlag.WRITE) !== 0;
  if (reading && writing) {
    return status(Status.OP_UNSUPPORTED, 'open a file either to read or to write, not both');
  }
  ctx.handles.assertRoom();
  if (!writing) {
    const transfer = await ctx.files.openRead(path);
    return { kind: 'handle', handle: ctx.handles.add({ kind: 'download', transfer }) };
  }
  const transfer = await openForWriting(ctx, path, flags);
  if ('kind' in transfer) return transfer;
  return { kind: 'handle', handle: ctx.handles.add({ kind: 'upload', transfer }) };
}

async function openForWriting(
  ctx: SftpContext,
  path: string,
  flags: number,
): Promise<UploadTransfer | Reply> {
  const creating = (flags & OpenFlag.CREAT) !== 0;
  const present = await exists(ctx, path);
  if (present === true && flags & OpenFlag.EXCL && creating) {
    return status(Status.FAILURE, `${path}: already exists`);
  }
  if (flags & OpenFlag.TRUNC || present === false) {
    if (!creating && present === false) throw new StorageError('not-found', path);
    return ctx.files.openWrite(path, { mode: 'create' });
  }
  try {
    return await ctx.files.openWrite(path, { mode: 'resume' });
  } catch (error) {
    // Existence was unknown (no 'list' here): a missing file is created when CREAT allows.
    if (error instanceof StorageError && error.code === 'not-found' && creating) {
      return ctx.files.openWrite(path, { mode: 'create' });
    }
    throw error;
  }
}

/** Whether the file exists; 'unknown' when the user may not look (no 'list' privilege). */
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
