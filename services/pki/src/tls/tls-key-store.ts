import type { CertificateOrigin, TlsKeyType } from '@tessera/contracts';
import { isRecordMissing, type Prisma, type PrismaClient } from '@tessera/db';

/** One row of tls_keys: the active key with its certificate, or a pending key with its CSR. */
export type TlsKeyRecord = Awaited<ReturnType<PrismaClient['tlsKey']['findFirstOrThrow']>>;

export interface NewTlsKey {
  id: string;
  keyType: TlsKeyType;
  privateKeySealed: Uint8Array<ArrayBuffer>;
  publicKeySha256: string;
  subject: string;
  altNames: string[];
  csrPem?: string;
}

export interface Activation {
  certificatePem: string;
  chainPem: string[];
  origin: CertificateOrigin;
}

const ACTIVE = 'active';
const PENDING = 'pending';
/** Serialises changes of the active key across replicas (pg_advisory_xact_lock). */
const ACTIVATION_LOCK = 0x7e55e4a1;

/** Where the pki service touches tls_keys. At most one key is active (unique active_slot). */
export class TlsKeyStore {
  constructor(private readonly db: PrismaClient) {}

  active(): Promise<TlsKeyRecord | null> {
    return this.db.tlsKey.findUnique({ where: { activeSlot: ACTIVE } });
  }

  pending(): Promise<TlsKeyRecord[]> {
    return this.db.tlsKey.findMany({ where: { status: PENDING }, orderBy: { createdAt: 'asc' } });
  }

  byPublicKey(publicKeySha256: string): Promise<TlsKeyRecord | null> {
    return this.db.tlsKey.findUnique({ where: { publicKeySha256 } });
  }

  addPending(key: NewTlsKey): Promise<TlsKeyRecord> {
    return this.db.tlsKey.create({ data: { ...key, status: PENDING, chainPem: [] } });
  }

  /** Deletes a pending key; false when there is no pending key with this id. */
  async discardPending(id: string): Promise<boolean> {
    const { count } = await this.db.tlsKey.deleteMany({ where: { id, status: PENDING } });
    return count === 1;
  }

  /** A new key becomes active with its certificate; the key it replaces is deleted. */
  activateNew(key: NewTlsKey, activation: Activation): Promise<TlsKeyRecord> {
    return this.withActivationLock(async (tx) => {
      await tx.tlsKey.deleteMany({ where: { activeSlot: ACTIVE } });
      return tx.tlsKey.create({ data: this.activeData(key, activation) });
    });
  }

  /** Only when no key is active yet (first start); null when another replica was first. */
  activateIfNone(key: NewTlsKey, activation: Activation): Promise<TlsKeyRecord | null> {
    return this.withActivationLock(async (tx) => {
      if (await tx.tlsKey.findUnique({ where: { activeSlot: ACTIVE } })) return null;
      return tx.tlsKey.create({ data: this.activeData(key, activation) });
    });
  }

  /**
   * A pending key (or the active one itself) gets its certificate and becomes (or stays) the active
   * key; a different active key is deleted. Null when that key is gone (discarded meanwhile).
   */
  promote(id: string, activation: Activation): Promise<TlsKeyRecord | null> {
    return this.withActivationLock(async (tx) => {
      await tx.tlsKey.deleteMany({ where: { activeSlot: ACTIVE, NOT: { id } } });
      try {
        return await tx.tlsKey.update({
          where: { id },
          data: {
            status: ACTIVE,
            activeSlot: ACTIVE,
            certificatePem: activation.certificatePem,
            chainPem: activation.chainPem,
            origin: activation.origin,
            activatedAt: new Date(),
          },
        });
      } catch (err) {
        if (isRecordMissing(err)) return null;
        throw err;
      }
    });
  }

  /** Any one sealed private key, to check at start that the master key opens the store. */
  async anySealedKey(): Promise<{ context: string; sealed: Uint8Array } | null> {
    const row = await this.db.tlsKey.findFirst({
      select: { id: true, privateKeySealed: true },
      orderBy: { createdAt: 'asc' },
    });
    return row ? { context: tlsKeyContext(row.id), sealed: row.privateKeySealed } : null;
  }

  private activeData(key: NewTlsKey, a: Activation) {
    return {
      ...key,
      status: ACTIVE,
      activeSlot: ACTIVE,
      certificatePem: a.certificatePem,
      chainPem: a.chainPem,
      origin: a.origin,
      activatedAt: new Date(),
    };
  }

  private withActivationLock<T>(work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(`SELECT 1 AS locked FROM pg_advisory_xact_lock(${ACTIVATION_LOCK})`);
      return work(tx);
    });
  }
}

/** The additional data a TLS key is sealed with: it opens only in its own row. */
export function tlsKeyContext(id: string): string {
  return `tls-key:${id}`;
}
