// `npm run db:migrate`: create the database named by DATABASE_URL if needed and apply migrations.
import { loadConfig } from '@tessera/config';
import { migrateDatabase } from './migrate';

migrateDatabase(loadConfig().DATABASE_URL).then(
  () => process.stdout.write('database is up to date\n'),
  (err: unknown) => {
    process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
