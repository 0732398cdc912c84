import type { SftpContext } from './context';
import { extensionHandlers } from './extensions';
import { closeHandle, fsetstatHandle, fstatHandle, readFile, writeFile } from './handlers/file-io';
import { openFile } from './handlers/open-file';
import { makeFolder, openFolder, readFolder, removeFolder } from './handlers/folders';
import {
  lstatPath,
  makeLink,
  readLink,
  realPath,
  removeFile,
  renamePath,
  setstatPath,
  statPath,
} from './handlers/paths';
import type { PacketReader } from './packet-reader';
import { RequestType, Status } from './protocol';
import { status, type Reply } from './replies';

export interface RequestHandler {
  name: string;
  /** What the request's first field names: a path, an open handle, or an extension. */
  subject: 'path' | 'handle' | 'extension';
  /** The privilege libs/storage checks (storage enforces it; this column is for the reader). */
  privilege: string;
  /** Changes something on disk: logged as an audit line (writes are covered by CLOSE). */
  mutating: boolean;
  /**
   * Runs alongside other concurrent requests instead of after everything before it. Only
   * positional reads and writes on open handles: each names its own offset.
   */
  concurrent: boolean;
  run(ctx: SftpContext, request: PacketReader): Promise<Reply>;
}

type Row = Omit<RequestHandler, 'run'>;
const row = (
  name: string,
  subject: Row['subject'],
  privilege: string,
  flags: { mutating?: boolean; concurrent?: boolean },
  run: RequestHandler['run'],
): RequestHandler => ({
  name,
  subject,
  privilege,
  mutating: flags.mutating ?? false,
  concurrent: flags.concurrent ?? false,
  run,
});

const reads = {};
const mutates = { mutating: true };

/**
 * Every SFTP v3 request this server answers, on one screen (as in OpenSSH's sftp-server).
 * A type missing here is answered with SSH_FX_OP_UNSUPPORTED.
 */
export const requestHandlers = new Map<number, RequestHandler>([
  // Reading: download. Writing: upload (+ overwrite to replace), or append in place. Both: download
  // + overwrite (existing) or upload (new). See handlers/open-file.ts for each flag.
  [RequestType.OPEN, row('open', 'path', 'download | upload, overwrite | append', reads, openFile)],
  [RequestType.CLOSE, row('close', 'handle', 'as at open', reads, closeHandle)],
  [RequestType.READ, row('read', 'handle', 'as at open', { concurrent: true }, readFile)],
  [RequestType.WRITE, row('write', 'handle', 'as at open', { concurrent: true }, writeFile)],
  [RequestType.LSTAT, row('lstat', 'path', 'list (parent)', reads, lstatPath)],
  [RequestType.FSTAT, row('fstat', 'handle', 'list (parent)', reads, fstatHandle)],
  // Times: upload or overwrite. A size (truncate): overwrite.
  [RequestType.SETSTAT, row('setstat', 'path', 'upload | overwrite', mutates, setstatPath)],
  [RequestType.FSETSTAT, row('fsetstat', 'handle', 'upload | overwrite', mutates, fsetstatHandle)],
  [RequestType.OPENDIR, row('opendir', 'path', 'list', reads, openFolder)],
  [RequestType.READDIR, row('readdir', 'handle', 'as at opendir', reads, readFolder)],
  [RequestType.REMOVE, row('remove', 'path', 'delete-files', mutates, removeFile)],
  [RequestType.MKDIR, row('mkdir', 'path', 'create-folders', mutates, makeFolder)],
  [RequestType.RMDIR, row('rmdir', 'path', 'delete-folders', mutates, removeFolder)],
  [RequestType.REALPATH, row('realpath', 'path', 'none', reads, realPath)],
  [RequestType.STAT, row('stat', 'path', 'list (parent)', reads, statPath)],
  [RequestType.RENAME, row('rename', 'path', 'rename (both parents)', mutates, renamePath)],
  [RequestType.READLINK, row('readlink', 'path', 'refused', reads, readLink)],
  [RequestType.SYMLINK, row('symlink', 'path', 'refused', mutates, makeLink)],
  [RequestType.EXTENDED, row('extended', 'extension', 'see extensions.ts', reads, runExtension)],
]);

async function runExtension(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const name = request.text();
  const extension = extensionHandlers.get(name);
  if (!extension) return status(Status.OP_UNSUPPORTED, `the extension ${name} is not supported`);
  return extension.run(ctx, request);
}
