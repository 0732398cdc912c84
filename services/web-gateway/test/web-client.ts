import https from 'node:https';
import http from 'node:http';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  plain?: boolean;
}

/** One HTTPS (or HTTP) request to the door at 127.0.0.1, with the whole answer read. */
export function call(
  port: number,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const data =
    options.body === undefined
      ? undefined
      : Buffer.isBuffer(options.body)
        ? options.body
        : Buffer.from(JSON.stringify(options.body));
  const headers: Record<string, string> = {
    ...(data && !Buffer.isBuffer(options.body) ? { 'content-type': 'application/json' } : {}),
    ...(data ? { 'content-length': String(data.length) } : {}),
    ...options.headers,
  };
  const client = options.plain ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(
      { host: '127.0.0.1', port, method, path, headers, rejectUnauthorized: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: <T>() => JSON.parse(body.toString()) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** A logged-in browser's worth of state: the session cookie and the CSRF token, same origin. */
export class WebClient {
  cookie = '';
  csrfToken = '';

  constructor(readonly port: number) {}

  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async login(username: string, password: string): Promise<Answer> {
    const answer = await this.send('POST', '/api/login', { username, password });
    const setCookie = answer.headers['set-cookie']?.[0];
    if (answer.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0]!;
      this.csrfToken = answer.json<{ csrfToken: string }>().csrfToken;
    }
    return answer;
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    return call(this.port, method, path, {
      body,
      headers: {
        origin: this.origin,
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...headers,
      },
    });
  }
}
