import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { SessionCache } from './session-cache';

/** A TLS handshake that did not finish: the client went away, spoke no TLS, or took too long. */
export class HandshakeFailed extends Error {}

/**
 * Server-side TLS over a socket we accepted (implicit FTPS, AUTH TLS, PROT P data connections).
 * Bytes the socket already buffered (a ClientHello that came with or right after AUTH TLS) are
 * handed to TLS by Node, so nothing the client sent is lost or read as a command.
 */
export function upgradeToTls(
  socket: Socket,
  context: SecureContext,
  cache: SessionCache,
  timeoutMs: number,
): Promise<TLSSocket> {
  const secure = new TLSSocket(socket, {
    isServer: true,
    secureContext: context,
    server: cache.server,
  });
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMs > 0
        ? setTimeout(() => fail(new HandshakeFailed('the TLS handshake took too long')), timeoutMs)
        : undefined;
    timer?.unref();
    const fail = (err: Error) => {
      clearTimeout(timer);
      secure.destroy();
      reject(err instanceof HandshakeFailed ? err : new HandshakeFailed(err.message));
    };
    const cut = () => fail(new HandshakeFailed('closed during the TLS handshake'));
    secure.once('error', fail);
    secure.once('close', cut);
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.removeListener('error', fail);
      secure.removeListener('close', cut);
      resolve(secure);
    });
  });
}
