import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type TesseraConfig } from '@tessera/config';

/** A subject prefix of this test's own, so parallel test files (and a running dev system) never answer each other. */
export function testBusPrefix(): string {
  return `t${randomBytes(5).toString('hex')}.`;
}

export function testNatsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

export interface TestEnvironment {
  config: TesseraConfig;
  env: Record<string, string>;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** Configuration for one test: its own database URL, bus prefix and data folder. */
export async function createTestEnvironment(
  databaseUrl: string,
  extra: Record<string, string> = {},
): Promise<TestEnvironment> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-test-'));
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    NATS_URL: testNatsUrl(),
    TESSERA_BUS_PREFIX: testBusPrefix(),
    TESSERA_DATA_DIR: dataDir,
    TESSERA_LOG_LEVEL: process.env.TESSERA_LOG_LEVEL ?? 'silent',
    ...extra,
  };
  return {
    config: loadConfig(env),
    env,
    dataDir,
    cleanup: () => rm(dataDir, { recursive: true, force: true }),
  };
}
