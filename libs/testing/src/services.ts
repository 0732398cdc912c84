import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { askHealth, BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { createTestDatabase, type TestDatabase } from './database';
import { createTestEnvironment, type TestEnvironment } from './environment';

/**
 * Other services for a test, started the way they run for real: each as a Node process running its
 * compiled JavaScript (`dist/services/<name>/src/main.js`, which `npm test` builds before jest),
 * with the test's environment. Tests never import another service's sources (the lint rule in
 * eslint.config.mjs holds that line); a service's own tests may start it in-process.
 */

const repoRoot = path.resolve(__dirname, '../../..');
const dist = path.join(repoRoot, 'dist');
const buildStamp = path.join(dist, '.tsbuildinfo');

export interface TestServices {
  /** Stops one service (SIGTERM, then SIGKILL after 5 s), e.g. to see how others take its loss. */
  stop(name: string): Promise<void>;
  /** Kills one service outright (SIGKILL): no shutdown hook runs, as in a crash. */
  kill(name: string): Promise<void>;
  /** What a service wrote to stdout and stderr so far (its logs, at TESSERA_LOG_LEVEL). */
  output(name: string): string;
  /** Stops every service still running. */
  close(): Promise<void>;
}

export interface StartServicesOptions {
  /** The environment every service gets (over this process's own): a TestEnvironment's `env`. */
  env: Record<string, string>;
  /** Variables for one service only, e.g. its NATS user. */
  envFor?: (name: string) => Record<string, string>;
  /** Who asks `health.<service>`; by default a client connected with `env`. */
  bus?: BusClient;
  timeoutMs?: number;
}

/**
 * Starts the named services side by side (each waits for what it needs over the bus, as under
 * `npm start`) and resolves when all answer their health ping; a service that exits before
 * answering fails the start with its output.
 */
export async function startServices(
  names: readonly string[],
  { env, envFor = () => ({}), bus, timeoutMs = 60_000 }: StartServicesOptions,
): Promise<TestServices> {
  for (const name of names) checkBuilt(name);
  const children = new Map<string, { child: ChildProcess; output: string[] }>();
  const services: TestServices = {
    output: (name) => children.get(name)?.output.join('') ?? '',
    stop: async (name) => {
      const entry = children.get(name);
      if (entry) await stopProcess(entry.child);
    },
    kill: async (name) => {
      const child = children.get(name)?.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    close: async () => {
      await Promise.all([...children.values()].map(({ child }) => stopProcess(child)));
    },
  };
  const asker = bus ?? (await BusClient.connect(loadConfig(env), 'test-services'));
  try {
    for (const name of names) {
      const child = spawn(process.execPath, [entryPoint(name)], {
        cwd: repoRoot,
        env: { ...process.env, ...env, ...envFor(name) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      // A test file that ends without its afterAll (a crash, a timeout) leaves no service behind.
      const kill = () => child.kill('SIGKILL');
      process.on('exit', kill);
      child.once('exit', () => process.off('exit', kill));
      const output: string[] = [];
      child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
      child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
      children.set(name, { child, output });
    }
    await Promise.all(
      [...children].map(([name, { child, output }]) =>
        waitForHealth(asker, name, child, () => output.join(''), timeoutMs),
      ),
    );
  } catch (error) {
    await services.close();
    throw error;
  } finally {
    if (!bus) await asker.close();
  }
  return services;
}

/** What `startTestStack` gives a test file: its own database, environment, services and a bus client. */
export interface TestStack {
  env: TestEnvironment;
  db: TestDatabase;
  bus: BusClient;
  services: TestServices;
  close(): Promise<void>;
}

/**
 * The usual start of an integration test file: a database, subject prefix and data folder of its
 * own (`extraEnv` added to the environment), the named services running against them, and a bus
 * client to drive them. `close()` undoes all of it.
 */
export async function startTestStack(
  names: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<TestStack> {
  for (const name of names) checkBuilt(name);
  const db = await createTestDatabase();
  const env = await createTestEnvironment(db.url, extraEnv);
  const bus = await BusClient.connect(env.config, 'test');
  let services: TestServices;
  try {
    services = await startServices(names, { env: env.env, bus });
  } catch (error) {
    await bus.close();
    await db.drop();
    await env.cleanup();
    throw error;
  }
  return {
    env,
    db,
    bus,
    services,
    close: async () => {
      await services.close();
      await bus.close();
      await db.drop();
      await env.cleanup();
    },
  };
}

function entryPoint(name: string): string {
  return path.join(dist, 'services', name, 'src/main.js');
}

/** Refuses to test against a missing or out-of-date build: the test would run old code. */
function checkBuilt(name: string): void {
  if (!existsSync(path.join(repoRoot, 'services', name)))
    throw new Error(`no service "${name}" in services/`);
  if (!existsSync(entryPoint(name)) || !existsSync(buildStamp))
    throw new Error(
      `${path.relative(repoRoot, entryPoint(name))} is missing: run \`npm run build\` first ` +
        '(tests start other services from their compiled output; `npm test` builds by itself)',
    );
  const built = statSync(buildStamp).mtimeMs;
  const sources = [
    path.join(repoRoot, 'services', name, 'src'),
    ...readdirSync(path.join(repoRoot, 'libs'))
      .filter((lib) => lib !== 'testing')
      .map((lib) => path.join(repoRoot, 'libs', lib, 'src')),
  ];
  for (const source of sources) {
    const newer = newerThan(source, built);
    if (newer)
      throw new Error(
        `dist/ is older than ${path.relative(repoRoot, newer)}: run \`npm run build\` first ` +
          `(tests start ${name} from its compiled output; \`npm test\` builds by itself)`,
      );
  }
}

/** A file under `file` changed after `time` (specs and generated code aside), if any. */
function newerThan(file: string, time: number): string | undefined {
  if (!existsSync(file)) return undefined;
  const stat = statSync(file);
  if (!stat.isDirectory())
    return stat.mtimeMs > time && !file.endsWith('.spec.ts') ? file : undefined;
  for (const entry of readdirSync(file)) {
    if (entry === 'node_modules' || entry === 'generated') continue;
    const found = newerThan(path.join(file, entry), time);
    if (found) return found;
  }
  return undefined;
}

async function waitForHealth(
  bus: BusClient,
  name: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `${name} stopped before answering health.${name} ` +
          `(${child.signalCode ?? `exit ${child.exitCode}`}):\n${output()}`,
      );
    const [answer] = await askHealth(bus, [name], 500);
    if (answer?.answers) return;
    if (Date.now() > end)
      throw new Error(`${name} did not answer health.${name} in ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
