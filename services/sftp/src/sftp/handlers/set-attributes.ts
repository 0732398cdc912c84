import type { Attrs } from '../attrs';
import type { SftpContext } from '../context';
import { Status } from '../protocol';
import { ok, status, type Reply } from '../replies';

/**
 * SETSTAT and FSETSTAT: a size truncates or extends the file (as `truncate`; storage asks for
 * 'overwrite', and takes the size the file already has as nothing), times are applied (OpenSSH's
 * `put -p`, lftp's mirror). Files are owned and permissioned by the server (0644 files, 0755
 * folders), so a permission change is accepted and ignored (as SFTPGo's `setstat_mode` 1 does):
 * refusing it fails `chmod`, lftp's `mirror -R` and OpenSSH's `put -r`. Ownership changes are
 * refused: answering OK would tell the client a file changed hands.
 */
export async function setAttributes(ctx: SftpContext, path: string, attrs: Attrs): Promise<Reply> {
  const refusal = refusalFor(attrs);
  if (refusal) return refusal;
  if (attrs.size !== undefined) await ctx.files.truncate(path, attrs.size);
  const times = timesOf(attrs);
  if (times) await ctx.files.setTimes(path, times.atime, times.mtime);
  return ok();
}

export function refusalFor(attrs: Attrs): Reply | null {
  if (attrs.uid !== undefined || attrs.gid !== undefined) {
    return status(Status.PERMISSION_DENIED, 'file ownership is managed by the server');
  }
  return null;
}

export function timesOf(attrs: Attrs): { atime: Date; mtime: Date } | null {
  if (attrs.atime === undefined || attrs.mtime === undefined) return null;
  return { atime: new Date(attrs.atime * 1000), mtime: new Date(attrs.mtime * 1000) };
}
