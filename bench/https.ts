/**
 * HTTPS benchmark: nginx (static files, WebDAV PUT) as the reference and Tessera's web gateway,
 * both on loopback, driven by `curl` the same way, in one invocation; then Tessera's resumable
 * (tus) upload in 8 MiB chunks as the page sends it. See bench/README.md.
 * Usage: npm run bench:https -- [--size=256] [--rounds=2]
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { run, sha256File, timed } from './sftp/run';
import { startNginx } from './https/nginx';
import { startTesseraWeb, type TesseraWeb } from './https/tessera';
import { tusMetadata, webRequest } from './https/web';

const MiB = 1024 * 1024;
const chunkSize = 8 * MiB;
const curl = ['-sS', '-f', '-k', '--http1.1'];

interface Server {
  name: string;
  /** Sends the file under this name; resolves with the wall time in seconds. */
  upload(file: string, name: string): Promise<number>;
  download(name: string, to: string): Promise<number>;
  onDisk(name: string): string;
}

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

function nginxServer(port: number, folder: string): Server {
  const url = (name: string) => `https://127.0.0.1:${port}/files/${name}`;
  return {
    name: 'nginx',
    upload: (file, name) => timed('curl', [...curl, '-o', '/dev/null', '-T', file, url(name)]),
    download: (name, to) => timed('curl', [...curl, '-o', to, url(name)]),
    onDisk: (name) => path.join(folder, name),
  };
}

function headerArgs(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
}

/** A tus upload made (not timed: metadata only); its URL path. */
async function createUpload(web: TesseraWeb, size: number, name: string): Promise<string> {
  const created = await webRequest(web.port, 'POST', '/api/uploads', {
    headers: {
      ...web.headers,
      'tus-resumable': '1.0.0',
      'upload-length': String(size),
      'upload-metadata': tusMetadata({ filename: name, folder: '/' }),
    },
  });
  const location = created.headers.location;
  if (created.status !== 201 || !location) throw new Error(`tus creation: ${created.status}`);
  return location;
}

/** The whole file in one PATCH, by curl: the counterpart of nginx's PUT. */
function tesseraServer(web: TesseraWeb): Server {
  const base = `https://127.0.0.1:${web.port}`;
  return {
    name: 'tessera',
    upload: async (file, name) => {
      const location = await createUpload(web, (await stat(file)).size, name);
      return timed('curl', [
        ...curl,
        '-o',
        '/dev/null',
        ...headerArgs({
          ...web.headers,
          'tus-resumable': '1.0.0',
          'upload-offset': '0',
          'content-type': 'application/offset+octet-stream',
        }),
        '-X',
        'PATCH',
        '-T',
        file,
        base + location,
      ]);
    },
    download: (name, to) =>
      timed('curl', [
        ...curl,
        ...headerArgs({ cookie: web.headers.cookie! }),
        '-o',
        to,
        `${base}/api/file?path=${encodeURIComponent(`/${name}`)}`,
      ]),
    onDisk: (name) => path.join(web.folder, name),
  };
}

/** As the page uploads: 8 MiB PATCHes one after the other on a kept-alive connection. */
async function tusChunked(web: TesseraWeb, file: string, name: string): Promise<number> {
  const size = (await stat(file)).size;
  const started = process.hrtime.bigint();
  const location = await createUpload(web, size, name);
  for (let offset = 0; offset < size; offset += chunkSize) {
    const end = Math.min(size, offset + chunkSize);
    const answer = await webRequest(web.port, 'PATCH', location, {
      headers: {
        ...web.headers,
        'tus-resumable': '1.0.0',
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      },
      file: { name: file, start: offset, end },
    });
    if (answer.status !== 204) throw new Error(`PATCH at ${offset}: ${answer.status}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** The file landed whole (an upload is moved into place when complete). */
async function checkSame(expected: string, file: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const exists = await stat(file).then(() => true, () => false); // prettier-ignore
    if (exists) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const got = await sha256File(file);
  if (got !== expected) throw new Error(`${file} differs from the source`);
}

const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;

async function main(): Promise<void> {
  const sizeMiB = option('size', 256);
  const rounds = option('rounds', 2);
  const work = await mkdtemp(path.join(os.tmpdir(), 'tessera-bench-https-'));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(work, { recursive: true, force: true })];
  try {
    const source = path.join(work, 'source.bin');
    await makeRandomFile(source, sizeMiB);
    const expected = await sha256File(source);
    const bytes = sizeMiB * MiB;
    const nginx = await startNginx(work);
    cleanups.unshift(() => nginx.stop());
    const web = await startTesseraWeb(work);
    cleanups.unshift(() => web.stop());
    const servers = [nginxServer(nginx.port, nginx.folder), tesseraServer(web)];
    const best: Record<string, { up: number; down: number }> = {};
    const tus: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      // Round 0 warms both up and is not counted; then who goes first alternates.
      const order = round % 2 ? [...servers].reverse() : servers;
      for (const server of order) {
        const name = `r${round}.bin`;
        const copy = path.join(work, `${server.name}-down.bin`);
        await run('sync', []);
        const up = mbps(bytes, await server.upload(source, name));
        await checkSame(expected, server.onDisk(name));
        const down = mbps(bytes, await server.download(name, copy));
        await checkSame(expected, copy);
        await unlink(copy);
        await unlink(server.onDisk(name));
        if (round === 0) continue;
        console.log(
          `round ${round} ${server.name}: up ${up.toFixed(0)} MB/s, down ${down.toFixed(0)} MB/s`,
        );
        const b = (best[server.name] ??= { up: 0, down: 0 });
        b.up = Math.max(b.up, up);
        b.down = Math.max(b.down, down);
      }
      if (round === 0) continue;
      const name = `tus${round}.bin`;
      const speed = mbps(bytes, await tusChunked(web, source, name));
      await checkSame(expected, path.join(web.folder, name));
      await unlink(path.join(web.folder, name));
      console.log(`round ${round} tessera tus 8 MiB chunks: ${speed.toFixed(0)} MB/s`);
      tus.push(speed);
    }
    const [n, t] = [best.nginx!, best.tessera!];
    console.log(`\n${sizeMiB} MiB, best of ${rounds} (MB/s = 10^6 bytes/s, curl wall time)`);
    console.log(`nginx   up ${n.up.toFixed(0)}  down ${n.down.toFixed(0)}`);
    console.log(
      `tessera up ${t.up.toFixed(0)}  down ${t.down.toFixed(0)}  (one tus PATCH by curl)`,
    );
    console.log(
      `ratio tessera/nginx: up ${(t.up / n.up).toFixed(2)}x  down ${(t.down / n.down).toFixed(2)}x`,
    );
    console.log(
      `tessera tus, 8 MiB chunks (Node client, kept-alive): ${Math.max(...tus).toFixed(0)} MB/s`,
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: unknown) => console.error(err));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
