import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** The digests a client may ask of a file instead of downloading it (rclone's `md5sum`). */
export const checksumAlgorithms = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type ChecksumAlgorithm = (typeof checksumAlgorithms)[number];

/** The hex digest of an open file, read in chunks from the start (never whole in memory). */
export async function digestOf(handle: FileHandle, algorithm: ChecksumAlgorithm): Promise<string> {
  const hash = createHash(algorithm);
  for await (const chunk of handle.createReadStream({ autoClose: false, start: 0 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
