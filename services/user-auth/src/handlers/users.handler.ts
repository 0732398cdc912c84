import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  usersCreate,
  usersDelete,
  usersGet,
  usersList,
  usersPasswordSet,
  usersPrivilegesEffective,
  usersUnlock,
  usersUpdate,
} from '@tessera/contracts';
import { privilegesAt } from '@tessera/storage';
import { AccountChanges, changesOf } from '../accounts/account-changes';
import { Lockouts } from '../accounts/lockouts';
import { UserAccounts } from '../accounts/user-accounts';
import { LOGGER } from '../tokens';

@Controller()
export class UsersHandler {
  constructor(
    private readonly accounts: UserAccounts,
    private readonly lockouts: Lockouts,
    private readonly changes: AccountChanges,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(usersCreate.subject)
  create(@Payload() raw: unknown) {
    return answer(usersCreate, raw, this.logger, (req) => this.accounts.create(req));
  }

  @MessagePattern(usersUpdate.subject)
  update(@Payload() raw: unknown) {
    return answer(usersUpdate, raw, this.logger, async (req) => {
      const user = await this.accounts.update(req);
      const changes = changesOf(req);
      if (changes.length) await this.changes.announce(req.username, changes);
      return { user };
    });
  }

  @MessagePattern(usersGet.subject)
  get(@Payload() raw: unknown) {
    return answer(usersGet, raw, this.logger, async (req) => ({
      user: await this.accounts.get(req.username),
      locks: await this.lockouts.ofUser(req.username),
    }));
  }

  @MessagePattern(usersUnlock.subject)
  unlock(@Payload() raw: unknown) {
    return answer(usersUnlock, raw, this.logger, (req) => this.lockouts.unlock(req));
  }

  @MessagePattern(usersList.subject)
  list(@Payload() raw: unknown) {
    return answer(usersList, raw, this.logger, async () => ({ users: await this.accounts.list() }));
  }

  @MessagePattern(usersDelete.subject)
  delete(@Payload() raw: unknown) {
    return answer(usersDelete, raw, this.logger, async (req) => {
      await this.accounts.delete(req.username);
      await this.changes.announce(req.username, ['deleted']);
      return { deleted: true as const };
    });
  }

  @MessagePattern(usersPasswordSet.subject)
  setPassword(@Payload() raw: unknown) {
    return answer(usersPasswordSet, raw, this.logger, async (req) => {
      const generatedPassword = await this.accounts.setPassword(req.username, req.password);
      await this.changes.announce(req.username, ['password']);
      return generatedPassword ? { generatedPassword } : {};
    });
  }

  /** The same evaluation every door runs (libs/storage), so what the CLI shows is what applies. */
  @MessagePattern(usersPrivilegesEffective.subject)
  effectivePrivileges(@Payload() raw: unknown) {
    return answer(usersPrivilegesEffective, raw, this.logger, async ({ username, path }) => {
      const user = await this.accounts.get(username);
      const { privileges, rulePath } = privilegesAt(user, path);
      return { path, privileges, rulePath };
    });
  }
}
