import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataStore, ERRORS, Upload } from '@tus/utils';
import { z } from 'zod';

/** tus ids as the server makes them (32 hex digits): nothing else can name a staged file. */
const idPattern = /^[0-9a-f]{32}$/;

const infoSchema = z.object({
  size: z.number().int().nonnegative().optional(),
  metadata: z.record(z.string(), z.string().nullable()).optional(),
  creationDate: z.string().optional(),
});

/**
 * The tus data store: each upload's bytes go to `<stagingRoot>/<id>`, its facts to `<id>.json`,
 * outside every home, so a partial upload is never listed or served. Whoever finishes an upload
 * adopts the staged file into place through the user's FileSession (see tus-uploads.ts). The
 * offset is the staged file's size: bytes that reached the disk before a cut count, as
 * @tus/file-store does.
 */
export class StagedUploadStore extends DataStore {
  /**
   * The sha256 of each upload so far, fed as its bytes arrive, so adoption need not read a
   * finished upload back (that read cost a third of an upload's time). Kept while each PATCH
   * continues where the last one ended; a gap, a failed write or a restart drops it, and the
   * adoption then reads the file back.
   */
  private readonly digests = new Map<string, { hash: Hash; bytes: number }>();

  constructor(
    readonly stagingRoot: string,
    private readonly expiryMs: number,
  ) {
    super();
    this.extensions = [
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'expiration',
    ];
  }

  static async open(stagingRoot: string, expiryMs: number): Promise<StagedUploadStore> {
    await fs.mkdir(stagingRoot, { recursive: true, mode: 0o700 });
    return new StagedUploadStore(stagingRoot, expiryMs);
  }

  /** Where an upload's bytes are staged. */
  dataPath(id: string): string {
    if (!idPattern.test(id)) throw ERRORS.FILE_NOT_FOUND;
    return path.join(this.stagingRoot, id);
  }

  override async create(upload: Upload): Promise<Upload> {
    const data = this.dataPath(upload.id);
    await fs.writeFile(data, '', { flag: 'wx', mode: 0o600 });
    upload.creation_date ??= new Date().toISOString();
    await this.writeInfo(upload);
    return upload;
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    let received = 0;
    const digest = this.digestAt(id, offset);
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        digest?.hash.update(chunk);
        done(null, chunk);
      },
    });
    // 1 MiB writes: fewer system calls for large uploads than the 64 KiB default.
    const sink = createWriteStream(this.dataPath(id), {
      flags: 'r+',
      start: offset,
      highWaterMark: 1 << 20,
    });
    try {
      await pipeline(stream, count, sink);
    } catch {
      this.digests.delete(id); // some hashed bytes may not be on disk
      throw ERRORS.FILE_WRITE_ERROR; // what did reach the disk stays: the offset says so
    }
    if (digest) digest.bytes += received;
    return offset + received;
  }

  /** The finished upload's sha256, when every byte of its `size` was hashed on the way in. */
  takeDigest(id: string, size: number | undefined): string | undefined {
    const digest = this.digests.get(id);
    this.digests.delete(id);
    return digest && digest.bytes === size ? digest.hash.digest('hex') : undefined;
  }

  /** The running digest if this write continues it (or starts the upload), else none. */
  private digestAt(id: string, offset: number): { hash: Hash; bytes: number } | undefined {
    const known = this.digests.get(id);
    if (known?.bytes === offset) return known;
    this.digests.delete(id);
    if (offset !== 0) return undefined;
    const fresh = { hash: createHash('sha256'), bytes: 0 };
    this.digests.set(id, fresh);
    return fresh;
  }

  override async getUpload(id: string): Promise<Upload> {
    const info = await this.readInfo(id);
    const stats = await fs.stat(this.dataPath(id)).catch(() => {
      throw ERRORS.FILE_NOT_FOUND;
    });
    return new Upload({
      id,
      size: info.size,
      offset: stats.size,
      metadata: info.metadata,
      creation_date: info.creationDate,
      storage: { type: 'staging', path: this.dataPath(id) },
    });
  }

  override async declareUploadLength(id: string, length: number): Promise<void> {
    const upload = await this.getUpload(id);
    upload.size = length;
    await this.writeInfo(upload);
  }

  override async remove(id: string): Promise<void> {
    this.digests.delete(id);
    await fs.rm(this.dataPath(id), { force: true });
    await fs.rm(`${this.dataPath(id)}.json`, { force: true });
  }

  override getExpiration(): number {
    return this.expiryMs;
  }

  /** Removes uploads nobody wrote to for longer than the expiry; answers how many. */
  override async deleteExpired(): Promise<number> {
    const before = Date.now() - this.expiryMs;
    let removed = 0;
    for (const name of await fs.readdir(this.stagingRoot)) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : name;
      if (!idPattern.test(id) || name === id) continue;
      const data = await fs.stat(this.dataPath(id)).catch(() => null);
      const info = await fs.stat(path.join(this.stagingRoot, name));
      if (Math.max(data?.mtimeMs ?? 0, info.mtimeMs) < before) {
        await this.remove(id);
        removed++;
      }
    }
    return removed;
  }

  private async readInfo(id: string): Promise<z.infer<typeof infoSchema>> {
    const text = await fs.readFile(`${this.dataPath(id)}.json`, 'utf8').catch(() => {
      throw ERRORS.FILE_NOT_FOUND;
    });
    const parsed = infoSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw ERRORS.FILE_NOT_FOUND;
    return parsed.data;
  }

  private async writeInfo(upload: Upload): Promise<void> {
    const info = {
      size: upload.size,
      metadata: upload.metadata,
      creationDate: upload.creation_date,
    };
    await fs.writeFile(`${this.dataPath(upload.id)}.json`, JSON.stringify(info), { mode: 0o600 });
  }
}
