// `npm start`: the whole system as plain Node processes against the Postgres and NATS named by
// DATABASE_URL and NATS_URL. Creates and migrates the database first; stops everything if one
// service stops, so a failure is never hidden behind a half-running system.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError, loadConfig } from '@tessera/config';
import { migrateDatabase } from '@tessera/db';

const root = path.resolve(__dirname, '../..');

/** Every folder under services/ with a src/main.ts is a service; the CLI is not one. */
function serviceNames(): string[] {
  return readdirSync(path.join(root, 'services'))
    .filter(
      (name) => name !== 'cli' && existsSync(path.join(root, 'services', name, 'src/main.ts')),
    )
    .sort((a, b) => (a === 'user-auth' ? -1 : b === 'user-auth' ? 1 : a.localeCompare(b)));
}

function startService(name: string): ChildProcess {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register', `services/${name}/src/main.ts`],
    {
      cwd: root,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) =>
      process.stdout.write(`[${name}] ${line}\n`),
    );
  }
  return child;
}

async function main(): Promise<void> {
  const config = loadConfig();
  process.stdout.write(`migrating ${redact(config.DATABASE_URL)} …\n`);
  await migrateDatabase(config.DATABASE_URL);
  const children = new Map(serviceNames().map((name) => [name, startService(name)]));
  let stopping = false;
  const stopAll = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const child of children.values()) child.kill('SIGTERM');
    setTimeout(() => process.exit(code), 3000).unref();
    Promise.all(
      [...children.values()].map(
        (c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r))),
      ),
    ).then(() => process.exit(code));
  };
  for (const [name, child] of children) {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`${name} stopped (${signal ?? `exit ${code}`}); stopping Tessera\n`);
      stopAll(1);
    });
  }
  process.once('SIGINT', () => stopAll(0));
  process.once('SIGTERM', () => stopAll(0));
  process.stdout.write(
    `Tessera is starting: ${[...children.keys()].join(', ')} (NATS ${config.NATS_URL}, data ${config.paths.data})\n` +
      `Add a user: npx tessera users add alice --home alice --generate-password\n`,
  );
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@');
}

main().catch((err: unknown) => {
  process.stderr.write(
    `Tessera could not start: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
