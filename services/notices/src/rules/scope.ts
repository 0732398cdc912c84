import type { NoticeScope } from '@tessera/contracts';

/** What a rule's scope looks at in an event. */
export interface EventOrigin {
  username: string;
  /** The virtual path (and the new path of a rename); none for a login failure. */
  paths: string[];
}

/** Asks user-auth which folder set a user has (null: none, or no such user). */
export type FolderSetOf = (username: string) => Promise<string | null>;

/** Does an event fall within the scope? A path glob never matches an event without a path. */
export async function inScope(
  scope: NoticeScope,
  origin: EventOrigin,
  folderSetOf: FolderSetOf,
): Promise<boolean> {
  switch (scope.kind) {
    case 'all':
      return true;
    case 'users':
      return scope.users.includes(origin.username);
    case 'folder-set':
      return (await folderSetOf(origin.username)) === scope.folderSet;
    case 'path': {
      const glob = globToRegExp(scope.glob);
      return origin.paths.some((p) => glob.test(p));
    }
  }
}

/**
 * `*` and `?` stay within one folder, `**` crosses folders; "/in/**" matches everything under
 * /in, and a glob with no wildcard matches that path and anything under it (a prefix).
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const prefix = !/[*?]/.test(glob);
  return new RegExp(`^${source.replace(/\/$/, '')}${prefix ? '(/.*)?' : ''}$`);
}
