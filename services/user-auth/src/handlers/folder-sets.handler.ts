import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { answer } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import {
  folderSetsAssign,
  folderSetsCreate,
  folderSetsDelete,
  folderSetsList,
  folderSetsUpdate,
} from '@tessera/contracts';
import { AccountChanges } from '../accounts/account-changes';
import { UserAccounts } from '../accounts/user-accounts';
import { FolderSets } from '../folder-sets/folder-sets';
import { LOGGER } from '../tokens';

@Controller()
export class FolderSetsHandler {
  constructor(
    private readonly folderSets: FolderSets,
    private readonly accounts: UserAccounts,
    private readonly changes: AccountChanges,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @MessagePattern(folderSetsCreate.subject)
  create(@Payload() raw: unknown) {
    return answer(folderSetsCreate, raw, this.logger, async (req) => ({
      folderSet: await this.folderSets.create(req.name, req.rules),
    }));
  }

  @MessagePattern(folderSetsUpdate.subject)
  update(@Payload() raw: unknown) {
    return answer(folderSetsUpdate, raw, this.logger, async (req) => {
      const folderSet = await this.folderSets.update(req.name, req.rules, req.newName);
      await this.announceTo(await this.folderSets.members(folderSet.name));
      return { folderSet };
    });
  }

  @MessagePattern(folderSetsDelete.subject)
  delete(@Payload() raw: unknown) {
    return answer(folderSetsDelete, raw, this.logger, async (req) => {
      const members = await this.folderSets.members(req.name);
      await this.folderSets.delete(req.name);
      await this.announceTo(members);
      return { deleted: true as const };
    });
  }

  @MessagePattern(folderSetsList.subject)
  list(@Payload() raw: unknown) {
    return answer(folderSetsList, raw, this.logger, async () => ({
      folderSets: await this.folderSets.list(),
    }));
  }

  @MessagePattern(folderSetsAssign.subject)
  assign(@Payload() raw: unknown) {
    return answer(folderSetsAssign, raw, this.logger, async (req) => {
      const user = await this.accounts.assignFolderSet(req.username, req.folderSet);
      await this.changes.announce(req.username, ['folder-set']);
      return { user };
    });
  }

  /** The users who have a changed set: their open sessions take the new rules. */
  private async announceTo(usernames: string[]): Promise<void> {
    for (const username of usernames) await this.changes.announce(username, ['folder-set']);
  }
}
