import { privilegeListSchema, type UserProfile } from '@tessera/contracts';
import type { Prisma } from '@tessera/db';

/** What to load with a user row to answer with a full profile. */
export const profileInclude = {
  folderSet: { include: { rules: { orderBy: { position: 'asc' } } } },
  _count: { select: { publicKeys: true } },
} satisfies Prisma.UserInclude;

export type UserWithProfile = Prisma.UserGetPayload<{ include: typeof profileInclude }>;

export function toProfile(user: UserWithProfile): UserProfile {
  return {
    id: user.id,
    username: user.username,
    enabled: user.enabled,
    admin: user.admin,
    homeFolder: user.homeFolder,
    privileges: privilegeListSchema.parse(user.privileges),
    passwordLoginDisabled: user.passwordLoginDisabled,
    quotaBytes: user.quotaBytes === null ? null : Number(user.quotaBytes),
    hasPassword: user.passwordHash !== null,
    folderSet: user.folderSet
      ? {
          id: user.folderSet.id,
          name: user.folderSet.name,
          rules: user.folderSet.rules.map((r) => ({
            path: r.path,
            privileges: privilegeListSchema.parse(r.privileges),
          })),
        }
      : null,
    publicKeyCount: user._count.publicKeys,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
  };
}
