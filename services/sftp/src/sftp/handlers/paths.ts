import { posix } from 'node:path';
import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import { attrsOf } from '../long-name';
import type { PacketReader } from '../packet-reader';
import { Status } from '../protocol';
import { ok, status, type Reply } from '../replies';
import { setAttributes } from './set-attributes';

export async function statPath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  return { kind: 'attrs', attrs: attrsOf(await ctx.files.stat(request.text())) };
}

export async function lstatPath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  return { kind: 'attrs', attrs: attrsOf(await ctx.files.lstat(request.text())) };
}

export async function setstatPath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  return setAttributes(ctx, path, readAttrs(request));
}

export async function removeFile(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  await ctx.files.remove(request.text());
  return ok();
}

/** RENAME of SFTP v3 never replaces an existing target (posix-rename does). */
export async function renamePath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const from = request.text();
  const to = request.text();
  await ctx.files.rename(from, to, { overwrite: false });
  return ok();
}

/**
 * REALPATH: the canonical virtual path, "/" being the home. Clients ask it first of all, and for
 * `cd`: ".." at the home stays at the home, as in OpenSSH's chroot, so it is clamped here. Every
 * other request that climbs above the home is still refused.
 */
export async function realPath(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  return nameReply(await ctx.files.realpath(clampedAtHome(request.text())));
}

/** "..", "/a/../../b", "" -> "/", "/b", "/": relative paths start at the home. */
export function clampedAtHome(path: string): string {
  return posix.resolve('/', path);
}

export function nameReply(path: string): Reply {
  return { kind: 'name', entries: [{ filename: path, longname: path, attrs: {} }] };
}

/** READLINK: link targets are real paths on the server; they are not shown to clients. */
export async function readLink(): Promise<Reply> {
  return status(Status.OP_UNSUPPORTED, 'reading symbolic links is not supported');
}

/** SYMLINK: clients never create links: a link is a way out of the home folder. */
export async function makeLink(): Promise<Reply> {
  return status(Status.PERMISSION_DENIED, 'creating symbolic links is not allowed');
}
