import { readAttrs } from '../attrs';
import type { SftpContext } from '../context';
import { attrsOf, longName } from '../long-name';
import type { PacketReader } from '../packet-reader';
import { Status } from '../protocol';
import { ok, status, type Reply } from '../replies';

/** Names per READDIR reply: small enough for one packet, large enough for few round trips. */
const namesPerReply = 100;

/** OPENDIR: the folder is listed once, here; READDIR hands the names out in batches. */
export async function openFolder(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  ctx.handles.assertRoom();
  const entries = await ctx.files.list(path);
  return { kind: 'handle', handle: ctx.handles.add({ kind: 'folder', path, entries, next: 0 }) };
}

export async function readFolder(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const item = ctx.handles.get(request.bytes());
  if (item?.kind !== 'folder') {
    return status(Status.FAILURE, 'no such open folder (bad handle)');
  }
  if (item.next >= item.entries.length) return status(Status.EOF, 'no more names');
  const batch = item.entries.slice(item.next, item.next + namesPerReply);
  item.next += batch.length;
  const now = new Date();
  return {
    kind: 'name',
    entries: batch.map((entry) => ({
      filename: entry.name,
      longname: longName(entry, ctx.username, now),
      attrs: attrsOf(entry),
    })),
  };
}

/** MKDIR: the attributes (permissions) are not applied; folders are 0755. */
export async function makeFolder(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  const path = request.text();
  readAttrs(request);
  await ctx.files.mkdir(path);
  return ok();
}

export async function removeFolder(ctx: SftpContext, request: PacketReader): Promise<Reply> {
  await ctx.files.rmdir(request.text());
  return ok();
}
