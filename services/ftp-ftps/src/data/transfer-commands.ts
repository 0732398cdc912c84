import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';
import { Readable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LiveTransfer } from '@tessera/contracts';
import { StorageError, type FileSession, type WriteIntent } from '@tessera/storage';
import { plainAddress } from '@tessera/door';
import { pasvTuple } from '../control/addresses';
import type { Command } from '../control/commands';
import type { FtpConnection } from '../control/ftp-connection';
import { storageReply, type Reply } from '../control/replies';
import { listLine, mlsxLine } from '../files/listing';
import { ActiveTarget, isClientsOwn, parseEprt, parsePort, type ActiveAddress } from './active-target';
import { NoDataConnection, openDataConnection } from './data-connection';
import { PassiveListener } from './passive-listener';
import { PassivePortsExhausted } from './passive-ports';

/** Opens a passive listener on the control connection's own local address, closing the last one. */
async function openPassive(c: FtpConnection): Promise<PassiveListener | null> {
  c.dataOpening?.close();
  c.dataOpening = null;
  try {
    const host = plainAddress(c.localAddress);
    const listener = await PassiveListener.open(c.door.passivePorts, host, c.remoteAddress, c.log);
    c.dataOpening = listener;
    return listener;
  } catch (err) {
    if (!(err instanceof PassivePortsExhausted)) throw err;
    c.log.warn({ range: c.door.passivePorts.ports }, err.message);
    c.reply(425, 'no passive port is free; try again later');
    return null;
  }
}

/** The address PASV tells: `ftp.passive-address` (a NAT's public side) or the one reached. */
async function advertisedAddress(c: FtpConnection): Promise<string> {
  const configured = c.door.live()['ftp.passive-address'];
  if (!configured) return c.localAddress;
  if (isIPv4(configured)) return configured;
  return (await lookup(configured, { family: 4 })).address;
}

async function pasv(c: FtpConnection): Promise<void> {
  if (c.epsvOnly) return c.reply(503, 'after EPSV ALL only EPSV is taken');
  const address = await advertisedAddress(c);
  if (!pasvTuple(address, 0)) {
    return c.reply(522, 'PASV cannot name an IPv6 address; use EPSV (2)');
  }
  const listener = await openPassive(c);
  if (listener) c.reply(227, `Entering Passive Mode (${pasvTuple(address, listener.port)})`);
}

async function epsv(c: FtpConnection, argument: string): Promise<void> {
  const protocol = argument.trim().toUpperCase();
  if (protocol === 'ALL') {
    c.epsvOnly = true;
    return c.reply(200, 'EPSV ALL: only EPSV from now on');
  }
  const own = isIPv4(plainAddress(c.localAddress)) ? '1' : '2';
  if (protocol && protocol !== own) return c.reply(522, `network protocol not supported, use (${own})`);
  const listener = await openPassive(c);
  if (listener) c.reply(229, `Entering Extended Passive Mode (|||${listener.port}|)`);
}

/**
 * PORT/EPRT: only with `ftp.active-mode` on, and only towards the client's own address and an
 * unprivileged port (as vsftpd without port_promiscuous): a server that connects wherever a client
 * says is an FTP bounce scanner. The connection is made after the transfer's 150.
 */
function active(verb: 'PORT' | 'EPRT', parse: (argument: string) => ActiveAddress | null) {
  return (c: FtpConnection, argument: string): void => {
    if (!c.door.live()['ftp.active-mode']) {
      return c.reply(502, 'active mode (PORT/EPRT) is off on this server; use PASV or EPSV');
    }
    if (c.epsvOnly) return c.reply(503, 'after EPSV ALL only EPSV is taken');
    const target = parse(argument);
    if (!target) return c.reply(501, 'PORT h1,h2,h3,h4,p1,p2 or EPRT |1|address|port|');
    if (!isClientsOwn(target.host, c.remoteAddress)) {
      c.log.warn({ ...target }, 'active mode towards another address refused');
      return c.reply(501, 'active mode connects only to your own address');
    }
    if (target.port < 1024) return c.reply(501, 'active mode connects only to ports 1024 and up');
    c.dataOpening?.close();
    c.dataOpening = new ActiveTarget(target, c.localAddress, c.log);
    c.reply(200, `${verb}: the server connects to you for the next transfer`);
  };
}

/** One transfer's parts: its 150 text, the work on the open data connection, what it moves. */
interface Job {
  opening: string;
  /** Resolves when the bytes are through. */
  work: (data: Duplex) => Promise<void>;
  /** Undoes what the command opened when the transfer fails. */
  cleanup?: () => Promise<void>;
  /** The file moving now, for `tessera sessions list` (none for a listing). */
  moving?: () => LiveTransfer;
}

/**
 * The life of one transfer on the control connection: 150, the data connection (TLS after the
 * 150), the work, then 226 only once the work is done (an upload is in place by then), or the
 * reply that says why not. ABOR cuts the data connection and answers after this reply.
 */
async function transfer(
  c: FtpConnection,
  { opening, work, cleanup = async () => undefined, moving }: Job,
): Promise<void> {
  const listener = c.dataOpening;
  c.dataOpening = null;
  if (!listener) {
    await cleanup();
    return c.reply(425, 'use PASV, EPSV, PORT or EPRT first');
  }
  if (c.secure && c.protection === 'C' && !c.door.live()['ftp.plain']) {
    await cleanup();
    c.reply(522, 'data connections must be protected: send PBSZ 0 and PROT P');
    setTimeout(() => listener.close(), 1000).unref();
    return;
  }
  let aborted = false;
  let data: Duplex | null = null;
  let settle!: () => void;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  c.transfer = {
    abort: () => {
      aborted = true;
      listener.close();
      data?.destroy();
    },
    settled,
    moving: () => moving?.() ?? null,
  };
  c.idle.stop();
  c.reply(150, opening);
  try {
    data = await openDataConnection({
      listener,
      tls:
        c.protection === 'P' && c.tlsContext
          ? {
              context: c.tlsContext,
              cache: c.door.tls.cache,
              requireReuse: c.door.live()['ftp.require-tls-session-reuse'],
            }
          : null,
      timeoutMs: c.door.settings.dataTimeoutSeconds * 1000,
      log: c.log,
    });
    if (aborted) throw new Error('aborted');
    await work(data);
    c.reply(226, 'transfer complete');
  } catch (error) {
    data?.destroy();
    await cleanup();
    c.send(failure(error, aborted));
  } finally {
    c.transfer = null;
    c.idle.touch();
    settle();
  }
}

function failure(error: unknown, aborted: boolean): Reply {
  if (aborted) return { code: 426, text: 'the transfer was aborted' };
  if (error instanceof NoDataConnection) return error.reply;
  const stored = storageReply(error);
  if (stored) return stored;
  return { code: 426, text: 'the data connection closed; the transfer was aborted' };
}

/** Storage refusals before any 150: the data listener is closed and the reply is storage's. */
function refuse(c: FtpConnection, error: unknown): void {
  const reply = storageReply(error);
  if (!reply) throw error;
  c.send(reply);
  dropPassive(c);
}

/**
 * A refused command's data connection is closed only after the refusal had time to arrive:
 * basic-ftp takes a reset data connection for a dead session, and would never read the 550.
 */
function dropPassive(c: FtpConnection): void {
  const listener = c.dataOpening;
  c.dataOpening = null;
  if (listener) setTimeout(() => listener.close(), 1000).unref();
}

function takeRest(c: FtpConnection): number {
  const offset = c.restOffset;
  c.restOffset = 0;
  return offset;
}

/** LIST and NLST take ls options ("-la") before the path; they are ignored. */
function listPath(argument: string): string {
  return argument.replace(/^(\s*-[a-zA-Z]+)+\s*/, '').trim();
}

async function listing(
  c: FtpConnection,
  argument: string,
  lines: (files: FileSession, path: string) => Promise<string[]>,
): Promise<void> {
  const files = c.files!;
  let text: string;
  try {
    text = (await lines(files, files.virtualPath(argument))).map((l) => `${l}\r\n`).join('');
  } catch (error) {
    return refuse(c, error);
  }
  await transfer(c, {
    opening: 'here comes the listing',
    work: (data) => pipeline(Readable.from([Buffer.from(text, 'utf8')]), data),
  });
}

/** A folder's entries, or the one entry when the path names a file (as ls). */
async function entriesAt(files: FileSession, path: string) {
  try {
    return { folder: path, entries: await files.list(path) };
  } catch (error) {
    if (!(error instanceof StorageError) || error.code !== 'not-a-folder') throw error;
    const entry = await files.stat(path);
    return { folder: null, entries: [{ ...entry, name: path.split('/').pop()! }] };
  }
}

const list = (c: FtpConnection, argument: string) =>
  listing(c, listPath(argument), async (files, path) => {
    const { entries } = await entriesAt(files, path);
    const now = new Date();
    return entries.map((e) => listLine(e, c.user!.username, now));
  });

const nlst = (c: FtpConnection, argument: string) =>
  listing(c, listPath(argument), async (files, path) => {
    const { entries } = await entriesAt(files, path);
    return entries.map((e) => e.name);
  });

const mlsd = (c: FtpConnection, argument: string) =>
  listing(c, argument, async (files, path) => {
    const entries = await files.list(path);
    const holder = files.privilegesAt(path);
    const inside = (name: string) => `${path === '/' ? '' : path}/${name}`;
    return entries.map((e) =>
      mlsxLine(e, e.name, {
        holder,
        itself: e.kind === 'folder' ? files.privilegesAt(inside(e.name)) : undefined,
      }),
    );
  });

async function retr(c: FtpConnection, argument: string): Promise<void> {
  const offset = takeRest(c);
  let download;
  try {
    download = await c.files!.openRead(argument);
  } catch (error) {
    return refuse(c, error);
  }
  const d = download;
  await transfer(c, {
    opening: `sending ${d.virtualPath} (${d.size} bytes)`,
    work: (data) => pipeline(d.stream({ start: Math.min(offset, d.size) }), data),
    cleanup: () => d.close().catch(() => undefined),
    moving: () => movingNow('download', d.virtualPath, d.bytesRead, d.elapsedMs),
  });
  await d.close().catch((err: unknown) => c.log.error({ err }, 'download event not sent'));
}

async function upload(c: FtpConnection, path: string, intent: WriteIntent, opening?: string) {
  let up;
  try {
    up = await c.files!.openUpload(path, intent);
  } catch (error) {
    return refuse(c, error);
  }
  const u = up;
  await transfer(c, {
    opening: opening ?? `ready for ${u.virtualPath}`,
    work: (data) => pipeline(data, u.writable()),
    cleanup: () => u.abort().catch(() => undefined),
    moving: () => movingNow('upload', u.virtualPath, u.bytesReceived, u.elapsedMs),
  });
}

function movingNow(
  direction: LiveTransfer['direction'],
  path: string,
  bytes: number,
  elapsedMs: number,
): LiveTransfer {
  return { direction, path, bytes, startedAt: new Date(Date.now() - elapsedMs).toISOString() };
}

function stor(c: FtpConnection, argument: string): Promise<void> {
  const offset = takeRest(c);
  return upload(c, argument, offset > 0 ? { kind: 'resume', offset } : { kind: 'create' });
}

function appe(c: FtpConnection, argument: string): Promise<void> {
  takeRest(c);
  return upload(c, argument, { kind: 'append', createMissing: true });
}

/** STOU: a name nobody has, from the one asked for (or "upload") and a number, as vsftpd. */
async function stou(c: FtpConnection, argument: string): Promise<void> {
  takeRest(c);
  const files = c.files!;
  const base = argument.trim() || 'upload';
  for (let n = 0; n < 100; n++) {
    const name = n === 0 ? base : `${base}.${n}`;
    try {
      await files.stat(name);
      continue;
    } catch (error) {
      if (!(error instanceof StorageError) || error.code !== 'not-found') return refuse(c, error);
    }
    return upload(c, name, { kind: 'create-exclusive' }, `FILE: ${files.virtualPath(name)}`);
  }
  refuse(c, new StorageError('already-exists', files.virtualPath(base), 'no free name found'));
}

export const transferCommands: Record<string, Command> = {
  PASV: { run: pasv },
  EPSV: { run: epsv },
  ABOR: {
    // With a transfer running, ABOR never gets here: the connection takes it at once.
    run: (c) => {
      c.dataOpening?.close();
      c.dataOpening = null;
      c.reply(225, 'no transfer to abort');
    },
  },
  PORT: { run: active('PORT', parsePort) },
  EPRT: { run: active('EPRT', parseEprt) },
  LIST: { run: list },
  NLST: { run: nlst },
  MLSD: { run: mlsd },
  RETR: { run: retr },
  STOR: { run: stor },
  APPE: { run: appe },
  STOU: { run: stou },
};
