import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Logger, type TesseraConfig } from '@tessera/config';

const MAKE_ONE = 'make one with `openssl rand -base64 32`';
const MAGIC = Buffer.from('TK1'); // format marker and version of a sealed box
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_BYTES = 4;

/** A sealed value could not be opened: another master key, or damaged/moved data. */
export class SealedBoxError extends Error {}

/**
 * The master key that seals every private key the pki service stores (AES-256-GCM). It comes from
 * TESSERA_MASTER_KEY: 32 random bytes, base64 (44 characters; 64 hex digits are accepted too).
 *
 * A sealed box is `"TK1" | key id (4) | nonce (12) | ciphertext | tag (16)`. The key id (the first
 * bytes of a hash of the key) lets the service say "wrong master key" instead of "damaged data";
 * the caller's context (e.g. "tls-key:<uuid>") is bound as additional data, so a sealed key copied
 * into another row does not open there.
 */
export class MasterKey {
  private constructor(
    private readonly key: Buffer,
    /** Hex id of this key, safe to print: it reveals nothing of the key. */
    readonly id: string,
  ) {}

  static fromBytes(key: Buffer): MasterKey {
    if (key.length !== 32) {
      throw new ConfigError(
        `Invalid configuration:\n  TESSERA_MASTER_KEY: expected 32 random bytes in base64 (44 characters), got ${key.length} bytes; ${MAKE_ONE}`,
      );
    }
    const id = createHash('sha256')
      .update('tessera-master-key-id\0')
      .update(key)
      .digest()
      .subarray(0, KEY_ID_BYTES)
      .toString('hex');
    return new MasterKey(Buffer.from(key), id);
  }

  /** Reads the environment's text form: base64 of 32 bytes, or 64 hex digits. */
  static parse(text: string): MasterKey {
    const t = text.trim();
    if (/^[0-9a-fA-F]{64}$/.test(t)) return MasterKey.fromBytes(Buffer.from(t, 'hex'));
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
      throw new ConfigError(
        `Invalid configuration:\n  TESSERA_MASTER_KEY: expected 32 random bytes in base64 (44 characters), got text that is not base64; ${MAKE_ONE}`,
      );
    }
    return MasterKey.fromBytes(Buffer.from(t, 'base64'));
  }

  static generate(): MasterKey {
    return MasterKey.fromBytes(randomBytes(32));
  }

  /** Seals a secret; the result is what the store keeps (a fresh copy, typed as Prisma's Bytes). */
  seal(plaintext: Buffer, context: string): Uint8Array<ArrayBuffer> {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return new Uint8Array(
      Buffer.concat([MAGIC, Buffer.from(this.id, 'hex'), nonce, body, cipher.getAuthTag()]),
    );
  }

  open(sealed: Uint8Array, context: string): Buffer {
    const box = Buffer.from(sealed);
    const head = MAGIC.length + KEY_ID_BYTES + NONCE_BYTES;
    if (box.length < head + TAG_BYTES || !box.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new SealedBoxError(`the stored key for ${context} is not a sealed box Tessera made`);
    }
    const keyId = MasterKey.keyIdOf(box);
    if (keyId !== this.id) {
      throw new SealedBoxError(
        `the stored key for ${context} was sealed under another TESSERA_MASTER_KEY (key id ${keyId}; the configured key has id ${this.id})`,
      );
    }
    const nonce = box.subarray(MAGIC.length + KEY_ID_BYTES, head);
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(box.subarray(box.length - TAG_BYTES));
    try {
      return Buffer.concat([
        decipher.update(box.subarray(head, box.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new SealedBoxError(
        `the stored key for ${context} does not open: it is damaged or was copied from another record`,
      );
    }
  }

  /** The id of the master key a box was sealed with (hex), or null when it is no sealed box. */
  static keyIdOf(sealed: Uint8Array): string | null {
    const box = Buffer.from(sealed);
    if (box.length < MAGIC.length + KEY_ID_BYTES || !box.subarray(0, MAGIC.length).equals(MAGIC))
      return null;
    return box.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).toString('hex');
  }

  /** Never print the key itself, whatever logs or inspects this object. */
  toJSON() {
    return { masterKeyId: this.id };
  }
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `MasterKey(${this.id})`;
  }
}

/**
 * The master key for this process. TESSERA_MASTER_KEY when set; without it, production refuses to
 * start, and development/test use `<data>/master.key` (made on first start, mode 0600).
 */
export async function loadMasterKey(config: TesseraConfig, logger: Logger): Promise<MasterKey> {
  if (config.TESSERA_MASTER_KEY) return MasterKey.parse(config.TESSERA_MASTER_KEY);
  if (config.production) {
    throw new ConfigError(
      'Invalid configuration:\n  TESSERA_MASTER_KEY: not set. In production the pki service will not start ' +
        'without it: it seals every private key stored in Postgres. Make one with ' +
        '`openssl rand -base64 32`, set TESSERA_MASTER_KEY=<that value> for the pki service only, ' +
        'and keep a copy in a safe place: without it the stored keys cannot be opened again.',
    );
  }
  const file = path.join(config.paths.data, 'master.key');
  try {
    const key = MasterKey.parse(await readFile(file, 'utf8'));
    logger.info({ file, masterKeyId: key.id }, 'using the development master key file');
    if (((await stat(file)).mode & 0o077) !== 0) {
      logger.warn({ file }, 'the master key file can be read by other users: chmod 600 it');
    }
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(config.paths.data, { recursive: true });
  const bytes = randomBytes(32);
  try {
    await writeFile(file, bytes.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return MasterKey.parse(await readFile(file, 'utf8'));
    throw err;
  }
  const key = MasterKey.fromBytes(bytes);
  // Info, not a warning: this is the expected first start in development (production refuses to
  // start without TESSERA_MASTER_KEY), and a normal start should print no warning.
  logger.info(
    { file, masterKeyId: key.id },
    'TESSERA_MASTER_KEY is not set: generated a development master key file (production needs TESSERA_MASTER_KEY)',
  );
  return key;
}
