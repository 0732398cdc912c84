import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { pendingMigrations } from './migrate';

const committed = readdirSync(path.resolve(__dirname, '../../../prisma/migrations'), {
  withFileTypes: true,
})
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/** `npm start` skips the Prisma CLI when nothing is pending: it must never skip a real migration. */
describe('pending migrations', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase(); // a clone of the migrated template
  });
  afterEach(() => db.drop());

  it('are none on a migrated database', async () => {
    expect(committed.length).toBeGreaterThan(1);
    expect(await pendingMigrations(db.url)).toEqual([]);
  });

  it('are all of them on a database without the ledger', async () => {
    await sql(db.url, 'DROP TABLE _prisma_migrations');
    expect(await pendingMigrations(db.url)).toEqual(committed);
  });

  it('include one that was rolled back or never finished', async () => {
    const [first, second] = committed;
    await sql(
      db.url,
      `UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = '${first}'`,
    );
    await sql(
      db.url,
      `UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${second}'`,
    );
    expect(await pendingMigrations(db.url)).toEqual([first, second]);
  });
});

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
