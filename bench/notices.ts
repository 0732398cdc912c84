/**
 * Event notices, end to end (bench/README.md): upload-complete -> webhook-received latency over
 * real SFTP uploads, and events per second through the notices service's consumer. Usage:
 *   npm run bench:notices -- [--uploads=1000] [--events=5000]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { BusClient, ensureEventStream, publishEvent } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import { filesUploaded, noticesAdd, usersCreate } from '@tessera/contracts';
import { migrateDatabase } from '@tessera/db';
import { startServices } from '@tessera/testing';
import { freePort } from './sftp/run';
import { dropDatabase } from './sftp/tessera';

const option = (name: string, fallback: number) => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};

/** A webhook receiver that notes when each event's path (or id) first arrived. */
function receiver(): Promise<{ url: string; seen: Map<string, number>; server: Server }> {
  const seen = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString()) as {
        events: { path?: string; eventId?: string }[];
      };
      for (const e of body.events) {
        const key = e.path ?? e.eventId ?? '';
        if (!seen.has(key)) seen.set(key, at);
      }
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({ url: `http://127.0.0.1:${port}/hook`, seen, server });
    }),
  );
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function waitFor(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for webhooks');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const uploads = option('uploads', 1000);
  const events = option('events', 5000);
  const work = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-notices-'));
  const dbName = `tessera_bench_${randomBytes(4).toString('hex')}`;
  const admin =
    process.env.TESSERA_TEST_ADMIN_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const sftpPort = await freePort();
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    DATABASE_URL: admin.replace(/\/[^/]*$/, `/${dbName}`),
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    TESSERA_BUS_PREFIX: `bench${randomBytes(4).toString('hex')}.`,
    TESSERA_DATA_DIR: path.join(work, 'data'),
    TESSERA_SFTP_PORT: String(sftpPort),
    TESSERA_LOG_LEVEL: 'warn',
  };
  await mkdir(env.TESSERA_DATA_DIR!, { recursive: true });
  await migrateDatabase(env.DATABASE_URL!);
  const services = await startServices(['user-auth', 'pki', 'sftp', 'notices'], { env });
  const bus = await BusClient.connect(loadConfig(env), 'bench');
  const hook = await receiver();
  try {
    await bus.request(usersCreate, {
      username: 'bench',
      homeFolder: 'bench',
      password: 'bench-password',
    });
    const rule = await bus.request(noticesAdd, {
      name: 'bench',
      trigger: 'uploaded',
      scope: { kind: 'all' },
      action: { kind: 'webhook', url: hook.url, secret: 'a-bench-webhook-secret' },
      batchSeconds: null,
      enabled: true,
    });
    if (!rule.ok) throw new Error(`no notice rule: ${rule.error.message}`);

    // Latency: one SFTP connection, small files one after another, timed from put's answer.
    const client = new SftpClient();
    await client.connect({
      host: '127.0.0.1',
      port: sftpPort,
      username: 'bench',
      password: 'bench-password',
    });
    const done = new Map<string, number>();
    const body = Buffer.alloc(1024, 1);
    for (let i = 0; i < uploads; i++) {
      const remote = `/up-${i}.bin`;
      await client.put(body, remote);
      done.set(remote, performance.now());
    }
    await client.end();
    await waitFor(() => [...done.keys()].every((p) => hook.seen.has(p)), 120_000);
    const latencies = [...done]
      .map(([p, at]) => (hook.seen.get(p) ?? NaN) - at)
      .sort((a, b) => a - b);

    // Throughput: events published straight into the stream, timed until the last webhook.
    const js = bus.connection.jetstream();
    await ensureEventStream(bus.connection, bus.prefix);
    const ids = Array.from({ length: events }, () => randomUUID());
    const start = performance.now();
    const now = new Date().toISOString();
    await Promise.all(
      ids.map((eventId, i) =>
        publishEvent(
          js,
          filesUploaded,
          {
            eventId,
            username: 'bench',
            protocol: 'sftp',
            path: `/burst-${i}.bin`,
            startedAt: now,
            endedAt: now,
            size: 1,
            sha256: null,
            complete: true,
          },
          bus.prefix,
        ),
      ),
    );
    await waitFor(() => ids.every((_, i) => hook.seen.has(`/burst-${i}.bin`)), 600_000);
    const seconds =
      (Math.max(...ids.map((_, i) => hook.seen.get(`/burst-${i}.bin`)!)) - start) / 1000;

    console.log(
      `${uploads} SFTP uploads -> webhook latency (ms): p50 ${percentile(latencies, 50).toFixed(1)}, p99 ${percentile(latencies, 99).toFixed(1)}, max ${latencies.at(-1)?.toFixed(1)}`,
    );
    console.log(
      `${events} events published at once -> all webhooks in ${seconds.toFixed(2)} s: ${(events / seconds).toFixed(0)} events/s`,
    );
    console.log('targets (issue 18): p99 under 100 ms, at least 2000 events/s');
  } finally {
    hook.server.close();
    const jsm = await bus.connection.jetstreamManager();
    await jsm.streams
      .delete(await ensureEventStream(bus.connection, bus.prefix))
      .catch(() => false);
    await bus.close();
    await services.close();
    await dropDatabase(admin, dbName);
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
