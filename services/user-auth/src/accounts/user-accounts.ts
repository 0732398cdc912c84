import {
  privilegeNames,
  RequestFailure,
  type ParsedRequestOf,
  type UserProfile,
  usersCreate,
  usersUpdate,
} from '@tessera/contracts';
import { isRecordMissing, isUniqueViolation, type PrismaClient } from '@tessera/db';
import { generatePassword, hashPassword } from './passwords';
import { profileInclude, toProfile } from './user-profile';

/** A new account may do everything inside its home unless the operator says otherwise. */
const defaultPrivileges = [...privilegeNames];

/** Accounts: the only code that writes the users table. */
export class UserAccounts {
  constructor(private readonly prisma: PrismaClient) {}

  async create(
    req: ParsedRequestOf<typeof usersCreate>,
  ): Promise<{ user: UserProfile; generatedPassword?: string }> {
    const generatedPassword = req.generatePassword ? generatePassword() : undefined;
    const password = req.password ?? generatedPassword;
    const folderSetId = req.folderSet ? await this.folderSetId(req.folderSet) : null;
    try {
      const user = await this.prisma.user.create({
        data: {
          username: req.username,
          homeFolder: req.homeFolder,
          privileges: req.privileges ?? defaultPrivileges,
          passwordHash: password ? await hashPassword(password) : null,
          passwordLoginDisabled: req.passwordLoginDisabled ?? false,
          enabled: req.enabled ?? true,
          admin: req.admin ?? false,
          folderSetId,
          quotaBytes: req.quotaBytes ?? null,
        },
        include: profileInclude,
      });
      return generatedPassword
        ? { user: toProfile(user), generatedPassword }
        : { user: toProfile(user) };
    } catch (err) {
      if (isUniqueViolation(err))
        throw new RequestFailure('conflict', `user ${req.username} already exists`);
      throw err;
    }
  }

  async update(req: ParsedRequestOf<typeof usersUpdate>): Promise<UserProfile> {
    const { username, ...changes } = req;
    return this.write(username, changes);
  }

  async get(username: string): Promise<UserProfile> {
    const user = await this.prisma.user.findUnique({
      where: { username },
      include: profileInclude,
    });
    if (!user) throw noSuchUser(username);
    return toProfile(user);
  }

  async list(): Promise<UserProfile[]> {
    const users = await this.prisma.user.findMany({
      orderBy: { username: 'asc' },
      include: profileInclude,
    });
    return users.map(toProfile);
  }

  /** Deletes the account and its keys; the home folder's files stay for the operator to decide on. */
  async delete(username: string): Promise<void> {
    const { count } = await this.prisma.user.deleteMany({ where: { username } });
    if (count === 0) throw noSuchUser(username);
  }

  async setPassword(username: string, password: string | undefined): Promise<string | undefined> {
    const generated = password ? undefined : generatePassword();
    await this.write(username, { passwordHash: await hashPassword(password ?? generated!) });
    return generated;
  }

  async assignFolderSet(username: string, folderSet: string | null): Promise<UserProfile> {
    return this.write(username, {
      folderSetId: folderSet ? await this.folderSetId(folderSet) : null,
    });
  }

  private async write(
    username: string,
    data: Parameters<PrismaClient['user']['update']>[0]['data'],
  ): Promise<UserProfile> {
    try {
      const user = await this.prisma.user.update({
        where: { username },
        data,
        include: profileInclude,
      });
      return toProfile(user);
    } catch (err) {
      if (isRecordMissing(err)) throw noSuchUser(username);
      throw err;
    }
  }

  private async folderSetId(name: string): Promise<string> {
    const set = await this.prisma.folderSet.findUnique({ where: { name }, select: { id: true } });
    if (!set) throw new RequestFailure('not_found', `no folder set named ${name}`);
    return set.id;
  }
}

export function noSuchUser(username: string): RequestFailure {
  return new RequestFailure('not_found', `no user named ${username}`);
}
