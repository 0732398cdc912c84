/**
 * Start-up benchmark: how long until every service answers, and how much memory each holds idle,
 * for the compiled services (what `npm start` and the image run) against the same services run
 * from their TypeScript sources through ts-node (how they ran before the build step), in one
 * invocation; then `npm start` itself, timed to its ready line on an already migrated database.
 * Usage: npm run bench:startup -- [--rounds=3] [--idle=10]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { askHealth, BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { tesseraServices } from '@tessera/contracts';
import { migrateDatabase } from '@tessera/db';
import { freePort } from './sftp/run';

const repoRoot = path.resolve(__dirname, '..');
const arg = (name: string, fallback: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const rounds = arg('rounds', 3);
const idleSeconds = arg('idle', 10);

type Mode = 'compiled' | 'ts-node';
// The compiled services with the V8 settings npm start gives them (deploy/local/start.ts).
const lean = ['--max-semi-space-size=1', '--optimize-for-size', '--liftoff-only'];
const command: Record<Mode, (service: string) => string[]> = {
  compiled: (s) => [...(s === 'sftp' ? [] : lean), `dist/services/${s}/src/main.js`],
  'ts-node': (s) => ['-r', 'ts-node/register', `services/${s}/src/main.ts`],
};

interface Sample {
  readySeconds: number;
  rssMiB: Record<string, number>;
  pssMiB: Record<string, number>;
}

async function main(): Promise<void> {
  const env = await benchEnvironment();
  await migrateDatabase(env.DATABASE_URL!);
  const bus = await BusClient.connect(loadConfig(env), 'bench-startup');
  try {
    // A first start makes the certificate and host keys, so every measured start is a normal one.
    await measure('compiled', env, bus);
    const results: Record<string, Sample[]> = { compiled: [], 'ts-node': [] };
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['compiled', 'ts-node'] as const) {
        results[mode]!.push(await measure(mode, env, bus));
      }
    }
    const npmStart: number[] = [];
    for (let round = 0; round < rounds; round++) npmStart.push(await timeNpmStart(env));
    report(results, npmStart);
  } finally {
    await bus.close();
    await rm(env.TESSERA_DATA_DIR!, { recursive: true, force: true });
  }
}

async function benchEnvironment(): Promise<Record<string, string>> {
  const admin = 'postgresql://postgres@127.0.0.1:5432';
  return {
    ...(process.env as Record<string, string>),
    DATABASE_URL: `${admin}/tessera_bench_startup`,
    TESSERA_BUS_PREFIX: `bench${randomBytes(3).toString('hex')}.`,
    TESSERA_DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-startup-')),
    TESSERA_SFTP_PORT: String(await freePort()),
    TESSERA_LOG_LEVEL: 'warn',
  };
}

/** Starts the three services in one mode, times them to "all answer", then reads idle memory. */
async function measure(mode: Mode, env: Record<string, string>, bus: BusClient): Promise<Sample> {
  const started = process.hrtime.bigint();
  const children = tesseraServices.map((service) => ({
    service,
    child: spawn(process.execPath, command[mode](service), {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  }));
  try {
    for (;;) {
      const answers = await askHealth(bus, tesseraServices, 500);
      if (answers.every((a) => a.answers)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readySeconds = Number(process.hrtime.bigint() - started) / 1e9;
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const sample: Sample = { readySeconds, rssMiB: {}, pssMiB: {} };
    for (const { service, child } of children) {
      sample.rssMiB[service] = await memoryMiB(child, /^VmRSS:\s+(\d+) kB/m, 'status');
      sample.pssMiB[service] = await memoryMiB(child, /^Pss:\s+(\d+) kB/m, 'smaps_rollup');
    }
    return sample;
  } finally {
    await Promise.all(children.map(({ child }) => stop(child)));
  }
}

async function memoryMiB(child: ChildProcess, pattern: RegExp, file: string): Promise<number> {
  const text = await readFile(`/proc/${child.pid}/${file}`, 'utf8');
  return Number(pattern.exec(text)?.[1] ?? NaN) / 1024;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** `npm start` as an operator runs it, from the command to its ready line. */
async function timeNpmStart(env: Record<string, string>): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn('npm', ['start'], {
    cwd: repoRoot,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^Tessera \S+ is ready/m.test(out)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${out}`)));
    });
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

function report(results: Record<string, Sample[]>, npmStart: number[]): void {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const spread = (values: number[], digits: number) =>
    `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)})`;
  const rows = [['mode', 'service', 'all answer s', 'idle RSS MiB', 'idle PSS MiB']];
  for (const [mode, samples] of Object.entries(results)) {
    for (const service of tesseraServices) {
      rows.push([
        mode,
        service,
        spread(
          samples.map((s) => s.readySeconds),
          1,
        ),
        spread(
          samples.map((s) => s.rssMiB[service]!),
          0,
        ),
        spread(
          samples.map((s) => s.pssMiB[service]!),
          0,
        ),
      ]);
    }
  }
  const out = rows
    .map((r) =>
      r
        .map((c) => c.padEnd(18))
        .join('')
        .trimEnd(),
    )
    .join('\n');
  process.stdout.write(
    `\n${rounds} rounds each, memory read after ${idleSeconds} s idle; median (min-max)\n${out}\n` +
      `\nnpm start to its ready line (migrated database, nothing to build): ${npmStart
        .map((s) => s.toFixed(1))
        .join(', ')} s\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
