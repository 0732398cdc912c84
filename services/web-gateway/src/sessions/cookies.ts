/** The session cookie: `__Host-` so it is Secure, host-only and for the whole site. */
export const sessionCookie = '__Host-tessera';

/** The value of one cookie in a Cookie header, or undefined. */
export function readCookie(header: string | null | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Set-Cookie for a new session; no Max-Age, so it ends with the browser as well. */
export function sessionCookieHeader(id: string): string {
  return `${sessionCookie}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict`;
}

export function clearedSessionCookieHeader(): string {
  return `${sessionCookie}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`;
}
