import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');

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
    cwd: repoRoot,
    env: prismaCliEnv(databaseUrl),
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Creates the database if it does not exist yet, then applies every committed migration. */
export async function migrateDatabase(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl);
  await prismaCli(['migrate', 'deploy'], databaseUrl);
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
