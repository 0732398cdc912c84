/**
 * SFTP benchmark: OpenSSH's sshd (internal-sftp) as the reference and Tessera's sftp service,
 * both on loopback, driven by OpenSSH's `sftp` with the client's defaults, in one invocation.
 * See bench/README.md. Usage: npm run bench:sftp -- [--size=512] [--rounds=2] [--rss-size=2048]
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { cpuSeconds, rssMiB, watchPeak, writeCalls } from './sftp/memory';
import { startReferenceSshd } from './sftp/reference-sshd';
import { run, sftpArgs, sha256File, timed, type Login } from './sftp/run';
import { startTessera } from './sftp/tessera';

interface Server {
  name: string;
  login: Login;
  /** A process whose CPU time we can read (Tessera's service; sshd forks per connection). */
  pid?: number;
  /** The remote path of an uploaded file, as this server's client addresses it. */
  remote: (name: string) => string;
  /** Where that file lands on disk. */
  onDisk: (name: string) => string;
}

interface Speeds {
  up: number;
  down: number;
  /** Server CPU seconds and write system calls per GiB, when the server's process is known. */
  cost: string;
}

const MiB = 1024 * 1024;
const cleanups: (() => Promise<unknown>)[] = [];

function option(name: string, fallback: number): number {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
}

async function makeRandomFile(file: string, mib: number): Promise<void> {
  const out = createWriteStream(file);
  for (let i = 0; i < mib / 4; i++) {
    if (!out.write(randomBytes(4 * MiB))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function repeatFile(source: string, target: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await pipeline(createReadStream(source), createWriteStream(target, { flags: i ? 'a' : 'w' }));
  }
}

/** What a run costs the server process: CPU seconds and write system calls. */
async function serverCost(server: Server): Promise<[number, number]> {
  if (!server.pid) return [NaN, NaN];
  return [await cpuSeconds(server.pid), await writeCalls(server.pid)];
}

/** One sftp batch command, timed, with what it cost the server. */
async function transfer(work: string, server: Server, command: string) {
  const batch = path.join(work, 'batch');
  await writeFile(batch, `${command}\n`);
  // Start from a clean page cache: Tessera fsyncs each upload before renaming it into place,
  // and on ext4 that fsync would also flush whatever the previous run left dirty.
  await run('sync', []);
  const [cpu, calls] = await serverCost(server);
  const seconds = await timed('sftp', sftpArgs(server.login, batch), work);
  const [cpuAfter, callsAfter] = await serverCost(server);
  return { seconds, cpu: cpuAfter - cpu, calls: callsAfter - calls };
}

/** Upload then download `file`, each checked byte for byte; MB/s both ways. */
async function roundTrip(work: string, server: Server, file: string, sha: string): Promise<Speeds> {
  const bytes = (await stat(path.join(work, file))).size;
  const up = await transfer(work, server, `put ${file} ${server.remote('up.bin')}`);
  if ((await sha256File(server.onDisk('up.bin'))) !== sha)
    throw new Error(`${server.name}: upload differs`);
  const down = await transfer(work, server, `get ${server.remote('up.bin')} down.bin`);
  if ((await sha256File(path.join(work, 'down.bin'))) !== sha)
    throw new Error(`${server.name}: download differs`);
  await unlink(server.onDisk('up.bin'));
  await unlink(path.join(work, 'down.bin'));
  const perGiB = (x: number) => (x / (bytes / 1024 ** 3)).toFixed(2);
  const calls = (x: number) => (x / (bytes / 1024 ** 3)).toFixed(0);
  return {
    up: bytes / up.seconds / 1e6,
    down: bytes / down.seconds / 1e6,
    cost: `server per GiB: CPU ${perGiB(up.cpu)} / ${perGiB(down.cpu)} s, write calls ${calls(up.calls)} / ${calls(down.calls)}`,
  };
}

const fmt = (x: number) => x.toFixed(0).padStart(5);
const best = (xs: number[]) => Math.max(...xs);

async function prepare(work: string, sizeMiB: number) {
  const identity = path.join(work, 'client_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identity]);
  const publicKey = await readFile(`${identity}.pub`, 'utf8');
  console.log(`making a ${sizeMiB} MiB random file ...`);
  await makeRandomFile(path.join(work, 'source.bin'), sizeMiB);
  const reference = await startReferenceSshd(work, publicKey);
  cleanups.push(() => reference.stop());
  const tessera = await startTessera(work, publicKey);
  cleanups.push(() => tessera.stop());
  const servers: [Server, Server] = [
    {
      name: 'OpenSSH internal-sftp',
      login: { ...reference.login, identity },
      remote: (n) => path.join(reference.folder, n),
      onDisk: (n) => path.join(reference.folder, n),
    },
    {
      name: 'Tessera sftp',
      pid: tessera.pid,
      login: { ...tessera.login, identity },
      remote: (n) => `/${n}`,
      onDisk: (n) => path.join(tessera.folder, n),
    },
  ];
  return { servers, sha: await sha256File(path.join(work, 'source.bin')) };
}

/**
 * Both servers, `rounds` times, alternating who goes first (the machine's noise is shared), after
 * one unmeasured 256 MiB round trip each: a fresh Node process moves its first few hundred MB at
 * about two thirds of its steady speed (V8 runs some 30 full collections while it adapts to the
 * buffer churn, none afterwards), which a server that has been up a while has long put behind it.
 */
async function compare(work: string, servers: [Server, Server], sha: string, rounds: number) {
  await makeRandomFile(path.join(work, 'warmup.bin'), 256);
  const warmupSha = await sha256File(path.join(work, 'warmup.bin'));
  for (const server of servers) await roundTrip(work, server, 'warmup.bin', warmupSha);
  const results = servers.map(() => ({ up: [] as number[], down: [] as number[] }));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const server = servers[i]!;
      const r = await roundTrip(work, server, 'source.bin', sha);
      results[i]!.up.push(r.up);
      results[i]!.down.push(r.down);
      const cost = server.pid ? `  (${r.cost})` : '';
      console.log(
        `round ${round + 1} ${server.name.padEnd(22)} upload ${fmt(r.up)} MB/s  download ${fmt(r.down)} MB/s${cost}`,
      );
    }
  }
  return results;
}

function summarise(sizeMiB: number, rounds: number, results: { up: number[]; down: number[] }[]) {
  const [ref, ours] = results as [(typeof results)[0], (typeof results)[0]];
  console.log(
    `\n${sizeMiB} MiB, best of ${rounds}, OpenSSH sftp client defaults, byte-identical both ways`,
  );
  console.log(`                         upload   download  (MB/s)`);
  console.log(`OpenSSH internal-sftp    ${fmt(best(ref.up))}     ${fmt(best(ref.down))}`);
  console.log(`Tessera sftp             ${fmt(best(ours.up))}     ${fmt(best(ours.down))}`);
  const ratio = (a: number[], b: number[]) => (best(a) / best(b)).toFixed(2);
  console.log(
    `ratio Tessera/OpenSSH    ${ratio(ours.up, ref.up)}x    ${ratio(ours.down, ref.down)}x`,
  );
}

/** RSS of the sftp service before, at its peak during, and after a large upload and download. */
async function memoryRun(work: string, server: Server, sizeMiB: number, mib: number) {
  const times = Math.max(1, Math.round(mib / sizeMiB));
  console.log(`\nmaking a ${times * sizeMiB} MiB file for the memory run ...`);
  await repeatFile(path.join(work, 'source.bin'), path.join(work, 'big.bin'), times);
  await unlink(path.join(work, 'source.bin'));
  const sha = await sha256File(path.join(work, 'big.bin'));
  const pid = server.pid!;
  const before = await rssMiB(pid);
  const peak = watchPeak(pid);
  const r = await roundTrip(work, server, 'big.bin', sha);
  const highest = await peak.stop();
  const after = await rssMiB(pid);
  console.log(
    `Tessera sftp RSS: before ${before.toFixed(0)} MiB, peak ${highest.toFixed(0)} MiB, after ${after.toFixed(0)} MiB`,
  );
  console.log(
    `  growth during ${times * sizeMiB} MiB up and down: ${(highest - before).toFixed(0)} MiB (${fmt(r.up)} / ${fmt(r.down)} MB/s)`,
  );
}

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
  }
}

async function main() {
  const sizeMiB = option('size', 512);
  const rounds = option('rounds', 2);
  const rssSize = option('rss-size', 2048);
  const work = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-'));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void cleanUp().then(() => process.exit(130)));
  }
  try {
    const { servers, sha } = await prepare(work, sizeMiB);
    summarise(sizeMiB, rounds, await compare(work, servers, sha, rounds));
    if (rssSize > 0) await memoryRun(work, servers[1], sizeMiB, rssSize);
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
