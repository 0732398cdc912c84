import { RequestFailure, type PublicKeyInfo } from '@tessera/contracts';
import { isUniqueViolation, type PrismaClient } from '@tessera/db';
import { noSuchUser } from '../accounts/user-accounts';
import { KeyLineError, parsePublicKeyLine, type ParsedPublicKey } from './public-key-line';

export type KeySource = PublicKeyInfo['source'];

/** A user's public keys: the only code that writes the public_keys table. */
export class PublicKeys {
  constructor(
    private readonly prisma: PrismaClient,
    /** The keys-folder file a user's folder keys are read from (`<data>/sshkeys/<user>.pub`). */
    private readonly keysFileOf: (username: string) => string,
  ) {}

  async add(username: string, line: string, source: KeySource = 'cli'): Promise<PublicKeyInfo> {
    const key = parseOrRefuse(line);
    const user = await this.userId(username);
    try {
      const row = await this.prisma.publicKey.create({ data: { userId: user, source, ...key } });
      return toInfo(row, this.keysFileOf(username));
    } catch (err) {
      if (isUniqueViolation(err)) throw await this.alreadyRegistered(username, key.fingerprint);
      throw err;
    }
  }

  /** A key logs in one user only; the refusal says whose it is (`details.owner`). */
  private async alreadyRegistered(username: string, fingerprint: string): Promise<RequestFailure> {
    const row = await this.prisma.publicKey.findUnique({
      where: { fingerprint },
      select: { user: { select: { username: true } } },
    });
    const owner = row?.user.username;
    if (!owner)
      return new RequestFailure('conflict', `this key (${fingerprint}) is already registered`);
    return new RequestFailure(
      'conflict',
      owner === username
        ? `${username} already has this key (${fingerprint})`
        : `this key (${fingerprint}) already belongs to ${owner}; a key logs in one user only`,
      { owner, fingerprint },
    );
  }

  /**
   * Removes an added key. A keys-folder key is refused: the folder is where it lives, and deleting
   * the row would only last until the file is read again (the next login with it).
   */
  async remove(username: string, fingerprint: string): Promise<void> {
    const key = await this.prisma.publicKey.findFirst({
      where: { fingerprint, user: { username } },
      select: { source: true },
    });
    if (!key) throw new RequestFailure('not_found', `${username} has no key ${fingerprint}`);
    if (key.source === 'keys-folder') {
      throw new RequestFailure(
        'forbidden',
        `${fingerprint} comes from the keys folder: remove its line from ${this.keysFileOf(username)} (Tessera drops the key within seconds)`,
        { file: this.keysFileOf(username) },
      );
    }
    await this.prisma.publicKey.deleteMany({
      where: { fingerprint, user: { username }, source: { not: 'keys-folder' } },
    });
  }

  async list(username: string): Promise<PublicKeyInfo[]> {
    const user = await this.userId(username);
    const rows = await this.prisma.publicKey.findMany({
      where: { userId: user },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((row) => toInfo(row, this.keysFileOf(username)));
  }

  /** Of these fingerprints, the ones that are keys of this user now. */
  async held(username: string, fingerprints: string[]): Promise<string[]> {
    if (!fingerprints.length) return [];
    const rows = await this.prisma.publicKey.findMany({
      where: { fingerprint: { in: fingerprints }, user: { username } },
      select: { fingerprint: true },
    });
    return rows.map((r) => r.fingerprint);
  }

  async userId(username: string): Promise<string> {
    const user = await this.prisma.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) throw noSuchUser(username);
    return user.id;
  }
}

function parseOrRefuse(line: string): ParsedPublicKey {
  try {
    return parsePublicKeyLine(line);
  } catch (err) {
    if (err instanceof KeyLineError) throw new RequestFailure('invalid_request', err.message);
    throw err;
  }
}

/** `keysFile` is the owner's keys-folder file, named only on keys that come from it. */
export function toInfo(
  row: {
    id: string;
    type: string;
    fingerprint: string;
    comment: string;
    source: string;
    createdAt: Date;
  },
  keysFile: string,
): PublicKeyInfo {
  const source = row.source as KeySource;
  return {
    id: row.id,
    type: row.type,
    fingerprint: row.fingerprint,
    comment: row.comment,
    source,
    ...(source === 'keys-folder'
      ? { from: 'keys folder' as const, file: keysFile }
      : { from: 'added' as const }),
    createdAt: row.createdAt.toISOString(),
  };
}
