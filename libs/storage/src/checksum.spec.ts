import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  aliceSession,
  makeStorageRoot,
  recordingSink,
  refusal,
  type StorageRoot,
} from './spec-helpers';

let storage: StorageRoot;
beforeEach(async () => {
  storage = await makeStorageRoot();
});
afterEach(() => storage.cleanup());

describe('FileSession.checksum', () => {
  it('hashes a file in chunks with each algorithm, and sends no download notice', async () => {
    const content = Buffer.alloc(300_000, 'tessera'); // several read-stream chunks
    await fs.writeFile(path.join(storage.aliceHome, 'big.bin'), content);
    const sink = recordingSink();
    const session = aliceSession(storage.homesRoot, {}, sink);
    for (const algorithm of ['md5', 'sha1', 'sha256', 'sha512'] as const) {
      expect(await session.checksum('/big.bin', algorithm)).toBe(
        createHash(algorithm).update(content).digest('hex'),
      );
    }
    expect(sink.notices).toEqual([]);
  });

  it('needs the download privilege, a regular file, and a path inside the home', async () => {
    await fs.writeFile(path.join(storage.aliceHome, 'a.txt'), 'a');
    await fs.mkdir(path.join(storage.aliceHome, 'folder'));
    const listOnly = aliceSession(storage.homesRoot, { privileges: ['list'] });
    expect(await refusal(listOnly.checksum('/a.txt', 'md5'))).toBe('permission-denied');
    const session = aliceSession(storage.homesRoot);
    expect(await refusal(session.checksum('/folder', 'md5'))).toBe('is-a-folder');
    expect(await refusal(session.checksum('/missing', 'md5'))).toBe('not-found');
    expect(await refusal(session.checksum('/../bob/x', 'md5'))).toBe('invalid-path');
  });
});
