import { RequestFailure, type PublicKeyInfo } from '@tessera/contracts';
import { isUniqueViolation, type PrismaClient } from '@tessera/db';
import { noSuchUser } from '../accounts/user-accounts';
import { KeyLineError, parsePublicKeyLine, type ParsedPublicKey } from './public-key-line';

export type KeySource = PublicKeyInfo['source'];

/** A user's public keys: the only code that writes the public_keys table. */
export class PublicKeys {
  constructor(private readonly prisma: PrismaClient) {}

  async add(username: string, line: string, source: KeySource = 'cli'): Promise<PublicKeyInfo> {
    const key = parseOrRefuse(line);
    const user = await this.userId(username);
    try {
      const row = await this.prisma.publicKey.create({ data: { userId: user, source, ...key } });
      return toInfo(row);
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

  async remove(username: string, fingerprint: string): Promise<void> {
    const { count } = await this.prisma.publicKey.deleteMany({
      where: { fingerprint, user: { username } },
    });
    if (count === 0) throw new RequestFailure('not_found', `${username} has no key ${fingerprint}`);
  }

  async list(username: string): Promise<PublicKeyInfo[]> {
    const user = await this.userId(username);
    const rows = await this.prisma.publicKey.findMany({
      where: { userId: user },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map(toInfo);
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

export function toInfo(row: {
  id: string;
  type: string;
  fingerprint: string;
  comment: string;
  source: string;
  createdAt: Date;
}): PublicKeyInfo {
  return {
    id: row.id,
    type: row.type,
    fingerprint: row.fingerprint,
    comment: row.comment,
    source: row.source as KeySource,
    createdAt: row.createdAt.toISOString(),
  };
}
