import { createHash } from 'node:crypto';
import { constants, createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { errnoOf, fromFsError, StorageError } from './errors';

/** A staged file that may be adopted: a regular file inside the staging area. */
export interface StagedFile {
  path: string;
  size: number;
}

/**
 * Refuses anything but a regular file (not a link) whose real path lies inside `stagingRoot`:
 * adoption moves a file into a home, so it must never take one from anywhere else.
 */
export async function checkStaged(
  stagingRoot: string | undefined,
  stagedPath: string,
  vp: string,
): Promise<StagedFile> {
  if (!stagingRoot) {
    throw new StorageError('io-error', vp, 'this session has no staging area to adopt files from');
  }
  try {
    const root = await fs.realpath(stagingRoot);
    const folder = await fs.realpath(path.dirname(path.resolve(stagedPath)));
    const inside = path.relative(root, folder);
    if (inside.startsWith('..') || path.isAbsolute(inside)) {
      throw new StorageError(
        'permission-denied',
        vp,
        'the staged file is outside the staging area',
      );
    }
    const real = path.join(folder, path.basename(stagedPath));
    const stats = await fs.lstat(real);
    if (!stats.isFile()) throw new StorageError('io-error', vp, 'the staged file is not a file');
    return { path: real, size: stats.size };
  } catch (error) {
    throw fromFsError(error, vp);
  }
}

/** sha256 of a complete staged file: every byte of it was received, so it costs what was sent. */
export async function hashStaged(stagedPath: string, vp: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(stagedPath), hash);
  } catch (error) {
    throw fromFsError(error, vp);
  }
  return hash.digest('hex');
}

/**
 * Moves the staged file to `tempPath` (beside its target): a rename on one volume; across
 * volumes, a copy made durable before the staged file is removed.
 */
export async function moveInto(stagedPath: string, tempPath: string, vp: string): Promise<void> {
  try {
    await fs.rename(stagedPath, tempPath);
    return;
  } catch (error) {
    if (errnoOf(error) !== 'EXDEV') throw fromFsError(error, vp);
  }
  try {
    await fs.copyFile(stagedPath, tempPath, constants.COPYFILE_EXCL);
    const copy = await fs.open(tempPath, 'r+');
    await copy.sync().finally(() => copy.close());
    await fs.rm(stagedPath);
  } catch (error) {
    await fs.rm(tempPath, { force: true });
    throw fromFsError(error, vp);
  }
}
