import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { homeFolderSchema } from '@tessera/contracts';
import { errnoOf, fromFsError, StorageError } from './errors';
import { baseName, parentOf, segmentsOf } from './paths';

/**
 * Maps clean virtual paths (from normaliseVirtualPath) to real paths inside one home folder, and
 * refuses any path whose symbolic links lead out of it. Links that stay inside are followed.
 *
 * The check and the later system call are two steps: a *local* process that swaps a folder for a
 * link in between could win that race. Clients cannot: no protocol lets them create links.
 */
export class Jail {
  private readonly homePath: string;
  private homeReal: Promise<string> | null = null;

  constructor(
    private readonly homesRoot: string,
    homeFolder: string,
  ) {
    if (!homeFolderSchema.safeParse(homeFolder).success) {
      throw new StorageError('invalid-path', '/', 'the home folder setting is not valid');
    }
    this.homePath = path.resolve(homesRoot, homeFolder);
  }

  /** The home's real path, created (mkdir -p) on first use. */
  home(): Promise<string> {
    this.homeReal ??= this.prepareHome().catch((error: unknown) => {
      this.homeReal = null; // let a later call retry, e.g. after the volume is mounted
      throw fromFsError(error, '/');
    });
    return this.homeReal;
  }

  /**
   * The real path for a virtual path. With `followFinal` the whole path is resolved (for reading
   * and for opening an existing file); without it the last name is kept as is, so a link there is
   * acted on itself (lstat, unlink, rename, replace) instead of its target.
   */
  async resolve(virtualPath: string, { followFinal }: { followFinal: boolean }): Promise<string> {
    if (followFinal || virtualPath === '/') return this.resolveFollowing(virtualPath);
    const parent = await this.resolveFollowing(parentOf(virtualPath));
    return path.join(parent, baseName(virtualPath));
  }

  /** The virtual path of a real path inside the home ("/" for the home itself). */
  async toVirtual(realPath: string): Promise<string> {
    const home = await this.home();
    return '/' + path.relative(home, realPath).split(path.sep).filter(Boolean).join('/');
  }

  /** The virtual folder a real path lives in; the home is its own folder, as "/" is. */
  async folderOf(realPath: string): Promise<string> {
    const home = await this.home();
    return this.toVirtual(realPath === home ? home : path.dirname(realPath));
  }

  private async prepareHome(): Promise<string> {
    await fs.mkdir(this.homePath, { recursive: true, mode: 0o750 });
    const [home, root] = await Promise.all([
      fs.realpath(this.homePath),
      fs.realpath(this.homesRoot),
    ]);
    // A link planted at the home itself would move the whole jail: refuse it.
    if (!isInside(home, root)) {
      throw new StorageError(
        'permission-denied',
        '/',
        'the home folder leads outside the storage root',
      );
    }
    return home;
  }

  /**
   * Resolves the deepest existing ancestor with realpath (which follows every link) and checks
   * the result is still inside the home; the missing rest is appended as plain names.
   */
  private async resolveFollowing(virtualPath: string): Promise<string> {
    const home = await this.home();
    const segments = segmentsOf(virtualPath);
    for (let depth = segments.length; depth >= 0; depth--) {
      const real = await realpathOrNull(path.join(home, ...segments.slice(0, depth)), virtualPath);
      if (real === null) continue;
      if (!isInside(real, home)) {
        throw new StorageError(
          'permission-denied',
          virtualPath,
          'a symbolic link leads outside the home folder',
        );
      }
      const missing = segments.slice(depth);
      await refuseDanglingLinkInTheMiddle(real, missing, virtualPath);
      return path.join(real, ...missing);
    }
    throw new StorageError('not-found', virtualPath); // the home itself vanished
  }
}

async function realpathOrNull(candidate: string, virtualPath: string): Promise<string | null> {
  try {
    return await fs.realpath(candidate);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT' || errno === 'ENOTDIR') return null;
    throw fromFsError(error, virtualPath);
  }
}

/**
 * realpath failed on `existing/missing[0]`: if that name is there anyway it is a dangling link.
 * As the last name it is harmless (we act on the link, never through it); in the middle of a
 * path the system would follow it, possibly to a place outside the home created later.
 */
async function refuseDanglingLinkInTheMiddle(
  existing: string,
  missing: string[],
  virtualPath: string,
): Promise<void> {
  if (missing.length < 2) return;
  const isLink = await fs.lstat(path.join(existing, missing[0])).then(
    (stats) => stats.isSymbolicLink(),
    () => false,
  );
  if (isLink)
    throw new StorageError('not-found', virtualPath, 'a symbolic link on the way leads nowhere');
}

function isInside(real: string, folder: string): boolean {
  return real === folder || real.startsWith(folder.endsWith(path.sep) ? folder : folder + path.sep);
}
