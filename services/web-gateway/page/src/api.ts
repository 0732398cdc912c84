/** The gateway's JSON API, as the page uses it. Every unsafe call carries the CSRF token. */
export interface Entry {
  name: string;
  kind: 'file' | 'folder';
  size: number;
  mtime: string;
}

export interface May {
  download: boolean;
  upload: boolean;
  overwrite: boolean;
  mkdir: boolean;
  rename: boolean;
  deleteFiles: boolean;
  deleteFolders: boolean;
}

export interface Folder {
  path: string;
  entries: Entry[];
  may: May;
}

export interface Session {
  username: string;
  csrfToken: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

export function useToken(token: string): void {
  csrfToken = token;
}

export function token(): string {
  return csrfToken;
}

async function ask<T>(method: string, url: string, body?: unknown): Promise<T> {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as { error?: string };
  if (!response.ok) throw new ApiError(response.status, answer.error ?? response.statusText);
  return answer as T;
}

export const api = {
  session: () => ask<Session>('GET', '/api/session'),
  login: (username: string, password: string) =>
    ask<Session>('POST', '/api/login', { username, password }),
  logout: () => ask<unknown>('POST', '/api/logout'),
  folder: (path: string) => ask<Folder>('GET', `/api/folder?path=${encodeURIComponent(path)}`),
  mkdir: (path: string) => ask<{ done: string }>('POST', '/api/mkdir', { path }),
  rename: (from: string, to: string) => ask<{ done: string }>('POST', '/api/rename', { from, to }),
  remove: (path: string) => ask<{ done: string }>('POST', '/api/delete', { path }),
};

export const fileUrl = (path: string) => `/api/file?path=${encodeURIComponent(path)}`;
export const zipUrl = (folder: string) => `/api/zip?path=${encodeURIComponent(folder)}`;

export function join(folder: string, name: string): string {
  return folder === '/' ? `/${name}` : `${folder}/${name}`;
}
