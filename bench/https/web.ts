import { createReadStream } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface WebAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Kept-alive connections, as a browser uploading chunk after chunk has. */
export const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 1 });

/** One HTTPS request to 127.0.0.1 (certificate not checked: both servers' are self-signed). */
export function webRequest(
  port: number,
  method: string,
  path: string,
  {
    headers = {},
    body,
    file,
  }: {
    headers?: Record<string, string>;
    body?: Buffer;
    /** Streams these bytes of a file as the body. */
    file?: { name: string; start: number; end: number };
  } = {},
): Promise<WebAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers,
        rejectUnauthorized: false,
        agent: keepAlive,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    if (file) {
      req.setHeader('content-length', String(file.end - file.start));
      createReadStream(file.name, { start: file.start, end: file.end - 1, highWaterMark: 1 << 20 })
        .on('error', reject)
        .pipe(req);
    } else req.end(body);
  });
}

/** tus metadata: comma-separated `key base64(value)` pairs. */
export function tusMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
}
