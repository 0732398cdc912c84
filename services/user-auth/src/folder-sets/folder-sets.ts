import { fieldRefusal, RequestFailure, type FolderRule, type FolderSet } from '@tessera/contracts';
import { isRecordMissing, isUniqueViolation, type PrismaClient } from '@tessera/db';
import { privilegeListSchema } from '@tessera/contracts';

const withRules = { rules: { orderBy: { position: 'asc' as const } } };

/** Named lists of (path inside home, privileges) rules; the most specific rule wins at use. */
export class FolderSets {
  constructor(private readonly prisma: PrismaClient) {}

  async create(name: string, rules: FolderRule[]): Promise<FolderSet> {
    checkDistinct(rules);
    return this.conflictAware(name, async () =>
      toFolderSet(
        await this.prisma.folderSet.create({
          data: { name, rules: { create: rules.map((r, position) => ({ ...r, position })) } },
          include: withRules,
        }),
      ),
    );
  }

  /** Replaces the rules (and optionally the name) in one transaction. */
  async update(name: string, rules: FolderRule[], newName?: string): Promise<FolderSet> {
    checkDistinct(rules);
    return this.conflictAware(newName ?? name, () =>
      this.prisma.$transaction(async (tx) => {
        const set = await tx.folderSet.update({ where: { name }, data: { name: newName ?? name } });
        await tx.folderSetRule.deleteMany({ where: { folderSetId: set.id } });
        await tx.folderSetRule.createMany({
          data: rules.map((r, position) => ({ ...r, position, folderSetId: set.id })),
        });
        return toFolderSet(
          await tx.folderSet.findUniqueOrThrow({ where: { id: set.id }, include: withRules }),
        );
      }),
    );
  }

  /** Users who had this set fall back to their own privileges. */
  async delete(name: string): Promise<void> {
    const { count } = await this.prisma.folderSet.deleteMany({ where: { name } });
    if (count === 0) throw noSuchSet(name);
  }

  /** The users who have this set (none when there is no such set). */
  async members(name: string): Promise<string[]> {
    const users = await this.prisma.user.findMany({
      where: { folderSet: { name } },
      select: { username: true },
      orderBy: { username: 'asc' },
    });
    return users.map((u) => u.username);
  }

  async list(): Promise<FolderSet[]> {
    const sets = await this.prisma.folderSet.findMany({
      orderBy: { name: 'asc' },
      include: withRules,
    });
    return sets.map(toFolderSet);
  }

  private async conflictAware<T>(name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err))
        throw new RequestFailure('conflict', `a folder set named ${name} already exists`);
      if (isRecordMissing(err)) throw noSuchSet(name);
      throw err;
    }
  }
}

function checkDistinct(rules: FolderRule[]): void {
  const paths = rules.map((r) => r.path);
  const again = paths.findIndex((p, i) => paths.indexOf(p) !== i);
  if (again < 0) return;
  throw fieldRefusal(
    ['rules', again, 'path'],
    `the folder ${paths[again]} has two rules; give it one`,
  );
}

const noSuchSet = (name: string) => new RequestFailure('not_found', `no folder set named ${name}`);

function toFolderSet(row: {
  id: string;
  name: string;
  rules: { path: string; privileges: string[] }[];
}): FolderSet {
  return {
    id: row.id,
    name: row.name,
    rules: row.rules.map((r) => ({
      path: r.path,
      privileges: privilegeListSchema.parse(r.privileges),
    })),
  };
}
