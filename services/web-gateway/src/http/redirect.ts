import os from 'node:os';
import type { Settings } from '@tessera/contracts';

/**
 * Where HTTP sends a browser: the same path and query on HTTPS, at the configured host name
 * (`web.host-name`, else this machine's name), never the request's Host header, which the client
 * writes. The port is named unless it is 443.
 */
export function redirectTarget(settings: Settings, requestUrl: string | undefined): string {
  const host = settings['web.host-name'] ?? os.hostname();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const port = settings['https.port'] === 443 ? '' : `:${settings['https.port']}`;
  const pathAndQuery = requestUrl?.startsWith('/') ? requestUrl : '/';
  return `https://${shownHost}${port}${pathAndQuery}`;
}

/** Redirect only when there is an HTTPS door to send the browser to. */
export function redirects(settings: Settings): boolean {
  return settings['web.redirect-to-https'] && settings['web.https'];
}
