import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { utils } from 'ssh2';
import type { Logger } from '@tessera/config';
import {
  hostKeyKinds,
  pkiHostKeysChanged,
  type HostKeyInfo,
  type HostKeyKind,
} from '@tessera/contracts';
import type { PrismaClient } from '@tessera/db';
import type { Announcements } from '@tessera/bus';
import type { MasterKey } from '../master-key/master-key';

const COMMENT = 'tessera-host';

type HostKeyRow = Awaited<ReturnType<PrismaClient['sshHostKey']['findFirstOrThrow']>>;

interface GeneratedKey {
  private: string;
  public: string;
}

const generateOnce = promisify(
  (kind: HostKeyKind, cb: (err: Error | null, key: GeneratedKey) => void) => {
    const done = (err: Error | null, key: GeneratedKey) => cb(err, key);
    if (kind === 'ed25519') utils.generateKeyPair('ed25519', { comment: COMMENT }, done);
    else if (kind === 'ecdsa-p256')
      utils.generateKeyPair('ecdsa', { bits: 256, comment: COMMENT }, done);
    else utils.generateKeyPair('rsa', { bits: 3072, comment: COMMENT }, done);
  },
);

/**
 * A new key pair that ssh2 can read back. ssh2 1.17 strips every leading zero byte of an ed25519
 * public key, so about one ed25519 pair in 256 comes out 31 bytes long and unreadable
 * (mscdex/ssh2 issues 1390 and 1513, open): the SFTP door could then never start. Such a pair is
 * thrown away and made again.
 */
export async function generateHostKey(kind: HostKeyKind): Promise<GeneratedKey> {
  for (let attempt = 1; ; attempt++) {
    const key = await generateOnce(kind);
    if (readable(key.private) && readable(key.public)) return key;
    if (attempt >= 8) throw new Error(`could not make a readable ${kind} host key`);
  }
}

function readable(text: string): boolean {
  const parsed = utils.parseKey(text);
  return !(parsed instanceof Error) && !(Array.isArray(parsed) && parsed.length === 0);
}

/** SHA256:… of an OpenSSH public key line, exactly as `ssh-keygen -l -E sha256` prints it. */
export function sshFingerprint(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export function hostKeyContext(kind: HostKeyKind): string {
  return `ssh-host-key:${kind}`;
}

/**
 * The SSH host keys the sftp service presents: ed25519, ecdsa-p256 and rsa-3072 (no DSA), made on
 * first need in OpenSSH format (what ssh2 loads), sealed at rest, regenerated on request.
 */
export class HostKeys {
  constructor(
    private readonly db: PrismaClient,
    private readonly masterKey: MasterKey,
    private readonly events: Announcements,
    private readonly logger: Logger,
  ) {}

  /** Makes whichever kinds are missing. Replicas racing here keep the first key of each kind. */
  async ensure(): Promise<HostKeyRow[]> {
    const have = await this.db.sshHostKey.findMany();
    const missing = hostKeyKinds.filter((k) => !have.some((h) => h.kind === k));
    if (missing.length) {
      const made = await Promise.all(missing.map((k) => this.make(k)));
      const { count } = await this.db.sshHostKey.createMany({ data: made, skipDuplicates: true });
      if (count) {
        this.logger.info(
          { kinds: missing, fingerprints: made.map((m) => m.fingerprint) },
          'made SSH host keys',
        );
      }
    }
    return this.rows();
  }

  async show(): Promise<HostKeyInfo[]> {
    return (await this.ensure()).map(info);
  }

  /** New keys for the kinds named (all when none), announced with `pki.hostkeys.changed`. */
  async regenerate(kinds: readonly HostKeyKind[] = hostKeyKinds): Promise<HostKeyInfo[]> {
    const unique = [...new Set(kinds)];
    const made = await Promise.all(unique.map((k) => this.make(k)));
    await this.db.$transaction(
      made.map((m) =>
        this.db.sshHostKey.upsert({
          where: { kind: m.kind },
          create: m,
          update: { ...m, createdAt: new Date() },
        }),
      ),
    );
    this.logger.warn(
      { kinds: unique, fingerprints: made.map((m) => m.fingerprint) },
      'regenerated SSH host keys: clients that stored the old fingerprints will warn until they accept the new ones',
    );
    await this.events.publish(pkiHostKeysChanged, {
      kinds: unique,
      at: new Date().toISOString(),
    });
    return (await this.ensure()).map(info);
  }

  /** Every host key with its OpenSSH private key: for the SSH door alone. */
  async material(): Promise<(HostKeyInfo & { privateKey: string })[]> {
    return (await this.ensure()).map((row) => ({
      ...info(row),
      privateKey: this.masterKey
        .open(row.privateKeySealed, hostKeyContext(row.kind as HostKeyKind))
        .toString('utf8'),
    }));
  }

  private async rows(): Promise<HostKeyRow[]> {
    const rows = await this.db.sshHostKey.findMany();
    return hostKeyKinds.flatMap((k) => rows.filter((r) => r.kind === k));
  }

  private async make(kind: HostKeyKind) {
    const key = await generateHostKey(kind);
    const publicKey = key.public.trim();
    return {
      kind,
      privateKeySealed: this.masterKey.seal(Buffer.from(key.private, 'utf8'), hostKeyContext(kind)),
      publicKey,
      fingerprint: sshFingerprint(publicKey),
    };
  }
}

function info(row: HostKeyRow): HostKeyInfo {
  return {
    kind: row.kind as HostKeyKind,
    publicKey: row.publicKey,
    fingerprint: row.fingerprint,
    createdAt: row.createdAt.toISOString(),
  };
}
