import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { FileEntry, FileSession } from '@tessera/storage';

/** A single byte range of a file of `size` bytes, as HTTP counts it (both ends inclusive). */
export type ByteRange = { start: number; end: number };

/**
 * `Range: bytes=a-b`, `a-` or `-n` (one range; several are answered whole, as RFC 9110 allows).
 * Returns null for no usable Range, 'unsatisfiable' for one past the end.
 */
export function parseRange(
  header: string | undefined,
  size: number,
): ByteRange | null | 'unsatisfiable' {
  const match = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!match || (match[1] === '' && match[2] === '')) return null;
  const [, first, last] = match as unknown as [string, string, string];
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Not changed since the client's copy (HTTP dates have whole seconds). */
function notModified(req: Request, entry: FileEntry): boolean {
  const since = req.get('if-modified-since');
  if (!since || req.get('range')) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(entry.mtime.getTime() / 1000) * 1000 <= time;
}

/** `attachment; filename*=UTF-8''…`, with a plain ASCII fallback. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Sends a file, whole or one range, streamed from disk: never held in memory. */
export async function sendFile(req: Request, res: Response, files: FileSession, path: string) {
  const entry = await files.stat(path);
  if (entry.kind !== 'file') {
    res.status(409).json({ error: `${path} is not a file` });
    return;
  }
  const download = await files.openRead(path);
  const size = download.size;
  res.setHeader('Last-Modified', entry.mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'private, no-cache');
  if (notModified(req, entry)) {
    await download.close();
    res.status(304).end();
    return;
  }
  const range = parseRange(req.get('range'), size);
  if (range === 'unsatisfiable') {
    await download.close();
    res.status(416).setHeader('Content-Range', `bytes */${size}`).end();
    return;
  }
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Disposition', attachment(entry.name));
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
  if (req.method === 'HEAD' || size === 0) {
    await download.close();
    res.end();
    return;
  }
  await pipeline(download.stream({ start, end }), res);
}
