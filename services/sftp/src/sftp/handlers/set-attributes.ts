import type { Attrs } from '../attrs';
import type { SftpContext } from '../context';
import { Status } from '../protocol';
import { ok, status, type Reply } from '../replies';

/**
 * SETSTAT and FSETSTAT: a size truncates or extends the file (as `truncate`; storage asks for
 * 'overwrite'), times are applied (OpenSSH's `put -p`, `touch`-like clients). Files are owned
 * and permissioned by the server (0644 files, 0755 folders), so a request that *only* changes
 * permissions is refused, while permissions sent together with times (as `put -p` does) are left
 * aside and the times applied. Ownership changes are refused.
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
  if (attrs.permissions !== undefined && attrs.mtime === undefined && attrs.size === undefined) {
    return status(
      Status.OP_UNSUPPORTED,
      'permissions are managed by the server (files 0644, folders 0755)',
    );
  }
  return null;
}

export function timesOf(attrs: Attrs): { atime: Date; mtime: Date } | null {
  if (attrs.atime === undefined || attrs.mtime === undefined) return null;
  return { atime: new Date(attrs.atime * 1000), mtime: new Date(attrs.mtime * 1000) };
}
