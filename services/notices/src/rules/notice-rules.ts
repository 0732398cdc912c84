import { isRecordMissing, isUniqueViolation, type PrismaClient } from '@tessera/db';
import {
  noticeActionSchema,
  noticeScopeSchema,
  noticeTriggerSchema,
  RequestFailure,
  type NoticeAction,
  type NoticeRule,
  type NoticeScope,
  type NoticeTrigger,
  type ParsedRequestOf,
  type noticesAdd,
  type noticesUpdate,
} from '@tessera/contracts';

/** A rule as the service uses it: with its secret. */
export interface StoredRule {
  id: string;
  name: string;
  trigger: NoticeTrigger;
  scope: NoticeScope;
  action: NoticeAction;
  batchSeconds: number | null;
  enabled: boolean;
  createdAt: Date;
}

type Row = Awaited<ReturnType<PrismaClient['noticeRule']['findFirstOrThrow']>>;

/** The notice rules in Postgres, and a short-lived cache of the enabled ones for the consumer. */
export class NoticeRules {
  private cache: { rules: StoredRule[]; at: number } | null = null;

  constructor(
    private readonly db: PrismaClient,
    /** Other replicas' changes show within this long. */
    private readonly cacheMs = 2000,
  ) {}

  async add(input: ParsedRequestOf<typeof noticesAdd>): Promise<StoredRule> {
    try {
      const row = await this.db.noticeRule.create({ data: input });
      return this.changed(fromRow(row));
    } catch (err) {
      if (isUniqueViolation(err))
        throw new RequestFailure('conflict', `a notice named ${input.name} exists already`);
      throw err;
    }
  }

  async update({ name, newName, ...changes }: ParsedRequestOf<typeof noticesUpdate>) {
    try {
      const row = await this.db.noticeRule.update({
        where: { name },
        data: { ...changes, ...(newName ? { name: newName } : {}) },
      });
      return this.changed(fromRow(row));
    } catch (err) {
      if (isRecordMissing(err)) throw missing(name);
      if (isUniqueViolation(err))
        throw new RequestFailure('conflict', `a notice named ${newName} exists already`);
      throw err;
    }
  }

  async delete(name: string): Promise<void> {
    try {
      await this.db.noticeRule.delete({ where: { name } });
      this.cache = null;
    } catch (err) {
      if (isRecordMissing(err)) throw missing(name);
      throw err;
    }
  }

  async get(name: string): Promise<StoredRule> {
    const row = await this.db.noticeRule.findUnique({ where: { name } });
    if (!row) throw missing(name);
    return fromRow(row);
  }

  /** A rule by id, or null when it was deleted since (its waiting deliveries go with it). */
  async byId(id: string): Promise<StoredRule | null> {
    const row = await this.db.noticeRule.findUnique({ where: { id } });
    return row && fromRow(row);
  }

  async list(): Promise<StoredRule[]> {
    return (await this.db.noticeRule.findMany({ orderBy: { name: 'asc' } })).map(fromRow);
  }

  /** The enabled rules for one trigger, from the cache when it is fresh. */
  async enabledFor(trigger: NoticeTrigger): Promise<StoredRule[]> {
    if (!this.cache || Date.now() - this.cache.at > this.cacheMs) {
      const rows = await this.db.noticeRule.findMany({ where: { enabled: true } });
      this.cache = { rules: rows.map(fromRow), at: Date.now() };
    }
    return this.cache.rules.filter((r) => r.trigger === trigger);
  }

  private changed(rule: StoredRule): StoredRule {
    this.cache = null;
    return rule;
  }
}

/** What the operator sees: everything but the webhook secret. */
export function shown(rule: StoredRule): NoticeRule {
  const action =
    rule.action.kind === 'webhook'
      ? { kind: 'webhook' as const, url: rule.action.url }
      : { kind: 'email' as const, to: rule.action.to };
  return { ...rule, action, createdAt: rule.createdAt.toISOString() };
}

function fromRow(row: Row): StoredRule {
  return {
    id: row.id,
    name: row.name,
    trigger: noticeTriggerSchema.parse(row.trigger),
    scope: noticeScopeSchema.parse(row.scope),
    action: noticeActionSchema.parse(row.action),
    batchSeconds: row.batchSeconds,
    enabled: row.enabled,
    createdAt: row.createdAt,
  };
}

function missing(name: string): RequestFailure {
  return new RequestFailure('not_found', `no notice named ${name}`);
}
