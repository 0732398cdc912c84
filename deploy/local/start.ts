// `npm start`: the whole system as plain Node processes, each running its compiled JavaScript from
// dist/ (deploy/build.js), against the Postgres and NATS named by DATABASE_URL and NATS_URL.
// Creates and migrates the database first; stops everything if one service stops, so a failure is
// never hidden behind a half-running system.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BusClient } from '@tessera/bus';
import { ConfigError, loadConfig, type TesseraConfig } from '@tessera/config';
import { migrateDatabase } from '@tessera/db';
import { activeCertificate, readyLine, waitUntilReady } from './ready';

/** dist/, where this file runs from as dist/deploy/local/start.js. */
const dist = path.resolve(__dirname, '../..');
const entryPoint = (name: string) => path.join(dist, 'services', name, 'src/main.js');

/**
 * V8 settings that trade peak speed for memory in the control-plane services, idle most of the
 * time (a smaller young generation, size-first heuristics, Prisma's WASM query compiler kept at
 * its baseline tier): about a third less idle memory, measured in bench/README.md. The SFTP door
 * keeps V8's defaults, since its transfer speed is the point. docker-compose.yml passes the same.
 */
const memoryLean = ['--max-semi-space-size=1', '--optimize-for-size', '--liftoff-only'];
const nodeFlags: Record<string, string[]> = {
  'user-auth': memoryLean,
  pki: memoryLean,
  notices: memoryLean,
};

/** Every compiled service with a main; the CLI is not one. */
function serviceNames(): string[] {
  return readdirSync(path.join(dist, 'services'))
    .filter((name) => name !== 'cli' && existsSync(entryPoint(name)))
    .sort((a, b) => (a === 'user-auth' ? -1 : b === 'user-auth' ? 1 : a.localeCompare(b)));
}

function startService(name: string): ChildProcess {
  const child = spawn(process.execPath, [...(nodeFlags[name] ?? []), entryPoint(name)], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) =>
      process.stdout.write(`[${name}] ${line}\n`),
    );
  }
  return child;
}

async function main(): Promise<void> {
  const started = Date.now();
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
    `Tessera is starting: ${[...children.keys()].join(', ')} (NATS ${config.NATS_URL}, data ${config.paths.data})\n`,
  );
  await announceWhenReady(config, [...children.keys()], started).catch((err: unknown) => {
    process.stderr.write(`Tessera is not ready: ${err instanceof Error ? err.message : err}\n`);
    stopAll(1);
  });
}

async function announceWhenReady(
  config: TesseraConfig,
  services: string[],
  started: number,
): Promise<void> {
  const bus = await BusClient.connect(config, 'npm-start');
  try {
    const health = await waitUntilReady(bus, services, 90_000);
    const line = readyLine(health, await activeCertificate(bus), (Date.now() - started) / 1000);
    process.stdout.write(
      `${line}\nAdd a user: npx tessera users add alice --home alice --generate-password\n`,
    );
  } finally {
    await bus.close();
  }
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
