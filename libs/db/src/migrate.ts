import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** The folder holding prisma.config.ts: the repository, or /app in the image; sources and dist/ both sit below it. */
function projectRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'prisma.config.ts'))) return dir;
  }
  throw new Error(`no prisma.config.ts above ${__dirname}: the Prisma schema cannot be found`);
}

/**
 * Environment for every Prisma CLI call: pointing the engine variables at any path stops the CLI
 * from downloading engines (it then uses its WASM schema engine through the pg adapter).
 */
export function prismaCliEnv(databaseUrl: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/dev/null',
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? '/dev/null',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    // No version check: these machines cannot reach Prisma's servers, and waiting on them is slow.
    CHECKPOINT_DISABLE: '1',
  };
}

/** Runs the Prisma CLI from the repository root (where prisma.config.ts lives). */
export async function prismaCli(args: string[], databaseUrl: string): Promise<string> {
  const cli = require.resolve('prisma/build/index.js');
  const { stdout } = await run(process.execPath, [cli, ...args], {
    cwd: projectRoot(),
    env: prismaCliEnv(databaseUrl),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/**
 * Creates the database if it does not exist yet, then applies every committed migration. When the
 * database already has them all, the Prisma CLI (seconds to start) is not run at all.
 */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl);
  if ((await pendingMigrations(databaseUrl)).length === 0) return;
  await prismaCli(['migrate', 'deploy'], databaseUrl);
}

/**
 * Committed migrations the database has not finished applying, read from Prisma's own ledger. A
 * database without the ledger has them all pending; a failed one stays pending, so the CLI runs
 * and reports it.
 */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const committed = readdirSync(path.join(projectRoot(), 'prisma/migrations'), {
    withFileTypes: true,
  })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ledger = await db.query<{ exists: boolean }>(
      "SELECT to_regclass('public._prisma_migrations') IS NOT NULL AS exists",
    );
    if (!ledger.rows[0]?.exists) return committed;
    const applied = await db.query<{ migration_name: string }>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(applied.rows.map((row) => row.migration_name));
    return committed.filter((name) => !done.has(name));
  } finally {
    await db.end();
  }
}

export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new Error(`DATABASE_URL names the database "${name}": use letters, digits, _ and -`);
  }
  url.pathname = '/postgres';
  const admin = new Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}
