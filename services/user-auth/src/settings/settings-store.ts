import { Prisma, type PrismaClient } from '@tessera/db';

/** A value to store; null is stored as JSON null ("none"). */
export type SettingValue = Prisma.InputJsonValue | null;

/** A stored value as read, not yet checked against its setting's rule. */
export type StoredSettings = Map<string, unknown>;

/**
 * The `settings` table: where user-auth touches Postgres for settings. Changes run under one
 * advisory lock, so two replicas (or two operators) never combine changes checked apart.
 */
export class SettingsStore {
  constructor(private readonly prisma: PrismaClient) {}

  async read(): Promise<StoredSettings> {
    const rows = await this.prisma.setting.findMany();
    return new Map(rows.map((r) => [r.name, r.value]));
  }

  /** Writes a row only where the setting has none: the environment seeds, the table then wins. */
  async seed(values: Record<string, SettingValue>): Promise<void> {
    await this.prisma.setting.createMany({
      data: Object.entries(values).map(([name, value]) => ({
        name,
        value: value ?? Prisma.JsonNull,
        updatedBy: 'environment',
      })),
      skipDuplicates: true,
    });
  }

  /**
   * Reads the current rows, lets `decide` turn them into the rows to write (or throw a refusal),
   * and writes them, all inside one transaction holding the settings lock.
   */
  async change<T>(
    decide: (stored: StoredSettings) => { write: Record<string, SettingValue>; result: T },
    updatedBy: string,
  ): Promise<T> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('tessera.settings'))`;
      const rows = await tx.setting.findMany();
      const { write, result } = decide(new Map(rows.map((r) => [r.name, r.value])));
      for (const [name, raw] of Object.entries(write)) {
        const value = raw ?? Prisma.JsonNull;
        await tx.setting.upsert({
          where: { name },
          create: { name, value, updatedBy },
          update: { value, updatedBy, updatedAt: new Date() },
        });
      }
      return result;
    });
  }
}
