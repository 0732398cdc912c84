import type { FileHandle } from 'node:fs/promises';
import { fromFsError, StorageError } from './errors';

/** A client asking for more than this in one positional read gets this much (as SFTP allows). */
export const maxReadLength = 1024 * 1024;

/**
 * Up to `length` bytes of `handle` at `position`; an empty buffer means end of file. Shared by
 * downloads and read-write uploads, so both refuse a lying length or offset the same way.
 */
export async function readAt(
  handle: FileHandle,
  length: number,
  position: number,
  virtualPath: string,
): Promise<Buffer> {
  if (!isCount(length) || !isCount(position)) {
    throw new StorageError(
      'io-error',
      virtualPath,
      'a read needs a whole, non-negative length and position',
    );
  }
  const buffer = Buffer.alloc(Math.min(length, maxReadLength));
  try {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    return buffer.subarray(0, bytesRead);
  } catch (error) {
    throw fromFsError(error, virtualPath);
  }
}

/** A whole, non-negative number that a file offset can hold. */
export function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}
