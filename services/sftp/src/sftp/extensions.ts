import { statfs } from 'node:fs/promises';
import { maxNameBytes } from '@tessera/storage';
import type { SftpContext } from './context';
import type { PacketReader } from './packet-reader';
import { maxPacketLength, maxReadWriteLength, Status } from './protocol';
import { ok, status, uint64s, type Reply } from './replies';
import { clampedAtHome, nameReply } from './handlers/paths';

export interface ExtensionHandler {
  /** The version string advertised in the VERSION reply (OpenSSH's own figures). */
  version: string;
  /** Changes something on disk: logged as an audit line. */
  mutating: boolean;
  run(ctx: SftpContext, request: PacketReader): Promise<Reply>;
}

/**
 * The OpenSSH extensions we answer, advertised in the VERSION reply exactly as listed here
 * (the second table of OpenSSH's sftp-server). Storage checks the privileges, as for the
 * plain requests.
 */
export const extensionHandlers = new Map<string, ExtensionHandler>([
  // RENAME that replaces an existing target (needs 'overwrite' there); `rename` in OpenSSH's client.
  ['posix-rename@openssh.com', { version: '1', mutating: true, run: posixRename }],
  ['statvfs@openssh.com', { version: '2', mutating: false, run: statVolume }],
  ['fstatvfs@openssh.com', { version: '2', mutating: false, run: fstatVolume }],
  // The request sizes and handle count OpenSSH's client then uses: see `limitsReply`.
  ['limits@openssh.com', { version: '1', mutating: false, run: async (ctx) => limitsReply(ctx) }],
  ['expand-path@openssh.com', { version: '1', mutating: false, run: expandPath }],
  ['home-directory', { version: '1', mutating: false, run: async () => nameReply('/') }],
]);

/**
 * limits@openssh.com: max packet length, max read length, max write length, max open handles.
 * OpenSSH's client sends reads and writes of the size given here (instead of 32 KiB) and keeps
 * at most min(64, max open handles) requests in flight.
 */
export function limitsReply(ctx: SftpContext): Reply {
  return {
    kind: 'extended',
    body: uint64s([maxPacketLength, maxReadWriteLength, maxReadWriteLength, ctx.handles.limit]),
  };
}

async function posixRename(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const from = request.text();
  const to = request.text();
  await ctx.files.rename(from, to, { overwrite: true });
  return ok();
}

/** statvfs: the volume of the storage root (homes share it), once the path is known to exist. */
async function statVolume(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  await ctx.files.stat(request.text());
  return volumeReply(ctx);
}

async function fstatVolume(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  if (!ctx.handles.get(request.bytes())) {
    return status(Status.FAILURE, 'no such open file or folder (bad handle)');
  }
  return volumeReply(ctx);
}

async function volumeReply(ctx: SftpContext): Promise<Reply> {
  const v = await statfs(ctx.homesRoot);
  // f_bsize, f_frsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_favail, f_fsid,
  // f_flag, f_namemax (OpenSSH's PROTOCOL file, section 4.4).
  const fields = [v.bsize, v.bsize, v.blocks, v.bfree, v.bavail, v.files, v.ffree, v.ffree];
  return { kind: 'extended', body: uint64s([...fields, 0, 0, maxNameBytes]) };
}

/** expand-path: "~" and "~/x" mean the home, which is "/" here; "~user" is not offered. */
async function expandPath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  if (/^~[^/]/.test(path)) {
    return status(Status.NO_SUCH_FILE, 'only your own home (~) can be reached');
  }
  const inHome = path === '~' ? '/' : path.startsWith('~/') ? path.slice(1) : path;
  return nameReply(await ctx.files.realpath(clampedAtHome(inHome)));
}
