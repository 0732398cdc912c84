import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { prismaCli } from './migrate';

/**
 * The committed migrations must build exactly the database that prisma/schema.prisma describes.
 * (`migrate diff --from-url` is refused when the CLI runs through a driver adapter, so this
 * compares catalogs: one database built by the migrations, one straight from the schema.)
 */
describe('migrations', () => {
  let migrated: TestDatabase;
  let fromSchema: TestDatabase;
  beforeAll(async () => {
    [migrated, fromSchema] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await withClient(fromSchema.url, (c) =>
      c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public'),
    );
    const sql = await prismaCli(
      [
        'migrate',
        'diff',
        '--from-empty',
        '--to-schema-datamodel',
        'prisma/schema.prisma',
        '--script',
      ],
      fromSchema.url,
    );
    await withClient(fromSchema.url, (c) => c.query(sql));
  }, 30_000);
  afterAll(() => Promise.all([migrated.drop(), fromSchema.drop()]));

  it('build the same tables, columns, indexes and constraints as the schema (add one with npm run db:new-migration)', async () => {
    const [a, b] = await Promise.all([catalog(migrated.url), catalog(fromSchema.url)]);
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(20);
  });
});

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A sorted description of the public schema, independent of column order. */
function catalog(url: string): Promise<string[]> {
  return withClient(url, async (c) => {
    const columns = await c.query(`
      SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' ' ||
             is_nullable || ' ' || coalesce(column_default, '') AS d
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`);
    const indexes = await c.query(`
      SELECT 'index ' || indexdef AS d FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`);
    const constraints = await c.query(`
      SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS d
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        AND conrelid::regclass::text <> '_prisma_migrations'`);
    return [...columns.rows, ...indexes.rows, ...constraints.rows]
      .map((r: { d: string }) => r.d)
      .sort();
  });
}
