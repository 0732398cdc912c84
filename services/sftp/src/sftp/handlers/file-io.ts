import { NoticeError, type DownloadTransfer } from '@tessera/storage';
import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import { attrsOf } from '../long-name';
import type { OpenItem } from '../open-handles';
import type { PacketReader } from '../packet-reader';
import { maxReadWriteLength, Status } from '../protocol';
import { ok, status, type Reply } from '../replies';
import { logDownload, logUpload } from '../transfer-log';
import { refusalFor, setAttributes, timesOf } from './set-attributes';

const badHandle = () => status(Status.FAILURE, 'no such open file or folder (bad handle)');

/**
 * READ: up to the length asked, capped at what `limits@openssh.com` promised; an empty read is
 * SSH_FX_EOF. Reads of one file are done one after another, in the order asked, so their replies
 * are ready in that order and none waits for another (see inTurn). A file opened READ|WRITE reads
 * what is in it now, its own writes included.
 */
export async function readFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.get(request.bytes());
  const offset = request.uint64();
  const length = Math.min(request.uint32(), maxReadWriteLength);
  const readable =
    item?.kind === 'download' ? item : item?.kind === 'upload' && item.transfer.readable && item;
  if (!readable) return badHandle();
  const data = await inTurn(readable.transfer, () => readable.transfer.read(length, offset));
  if (data.length === 0) return status(Status.EOF, 'end of file');
  return { kind: 'data', data };
}

/** The last read asked of each open file: the next one starts when it is done. */
const lastRead = new WeakMap<object, Promise<unknown>>();

/**
 * Runs a file's reads in the order asked. Run side by side on libuv's thread pool, they finished
 * out of order, and their replies then either left out of order (OpenSSH's reget kept the holes
 * of a cut download as zeros) or waited in memory for the ones before them. A read from the page
 * cache takes tens of microseconds; the time of a download goes to encryption, which stays
 * pipelined.
 */
function inTurn<T>(file: object, read: () => Promise<T>): Promise<T> {
  const turn = (lastRead.get(file) ?? Promise.resolve()).then(read);
  lastRead.set(
    file,
    turn.catch(() => undefined),
  );
  return turn;
}

/**
 * WRITE at the offset the client names. No `await` before `transfer.write`: writes must reach
 * the transfer in the order they arrived, so it can hash the file while it streams.
 */
export async function writeFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.get(request.bytes());
  const offset = request.uint64();
  const data = request.bytes();
  if (item?.kind !== 'upload') return badHandle();
  await item.transfer.write(data, offset);
  return ok();
}

/**
 * CLOSE: a download is released (and reported), an upload is put in place (and reported), with
 * the times `put -p` asked for applied to the file in place. A notice that could not be sent
 * does not undo the upload: see the dispatcher.
 */
export async function closeHandle(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.remove(request.bytes());
  if (!item) return badHandle();
  if (item.kind === 'download') await closeDownload(ctx, item.transfer);
  if (item.kind === 'upload') await commitUpload(ctx, item);
  return ok();
}

async function closeDownload(ctx: SftpContext, transfer: DownloadTransfer): Promise<void> {
  try {
    await transfer.close();
  } finally {
    logDownload(ctx.logger, transfer, null); // the bytes went out whether or not the event did
  }
}

async function commitUpload(
  ctx: SftpContext,
  item: Extract<OpenItem, { kind: 'upload' }>,
): Promise<void> {
  let lostNotice: NoticeError | null = null;
  try {
    await item.transfer.commit();
  } catch (error) {
    if (!(error instanceof NoticeError)) {
      logUpload(ctx.logger, item.transfer, error);
      throw error;
    }
    lostNotice = error; // the file is in place; finish the job, then let the dispatcher log it
  }
  logUpload(ctx.logger, item.transfer, null);
  if (item.pendingTimes) {
    const { atime, mtime } = item.pendingTimes;
    await ctx.files.setTimes(item.transfer.virtualPath, atime, mtime);
  }
  if (lostNotice) throw lostNotice;
}

/**
 * FSTAT: what the file or folder behind a handle looks like now. An upload answers the file as
 * written so far, its size counting every write before the FSTAT (psftp's `reput`, paramiko's
 * `f.stat()`).
 */
export async function fstatHandle(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.get(request.bytes());
  if (!item) return badHandle();
  if (item.kind === 'upload') return { kind: 'attrs', attrs: attrsOf(await item.transfer.stat()) };
  const path = item.kind === 'download' ? item.transfer.virtualPath : item.path;
  return { kind: 'attrs', attrs: attrsOf(await ctx.files.stat(path)) };
}

/**
 * FSETSTAT: for an upload a size cuts (or extends) the file being written at once, as
 * `ftruncate`, and the size it has already is nothing to do (lftp sends size and mtime after its
 * writes); the times wait until the file is in place at CLOSE; permissions are ignored.
 */
export async function fsetstatHandle(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.get(request.bytes());
  const attrs = readAttrs(request);
  if (!item) return badHandle();
  if (item.kind !== 'upload') {
    return setAttributes(
      ctx,
      item.kind === 'download' ? item.transfer.virtualPath : item.path,
      attrs,
    );
  }
  const refusal = refusalFor(attrs);
  if (refusal) return refusal;
  if (attrs.size !== undefined) await item.transfer.truncate(attrs.size);
  item.pendingTimes = timesOf(attrs) ?? item.pendingTimes;
  return ok();
}
