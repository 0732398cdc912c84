import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { Logger } from '@tessera/config';
import type { Reply } from '../control/replies';
import { upgradeToTls } from '../tls/upgrade';
import type { SessionCache } from '../tls/session-cache';

/** Where a transfer's data connection comes from: a PASV/EPSV listener, or PORT/EPRT's address. */
export interface DataOpening {
  /** The data connection, or null when none could be had within `timeoutMs` (or it was closed). */
  take(timeoutMs: number): Promise<Socket | null>;
  close(): void;
}

/** What the data connection of one transfer needs from its control connection. */
export interface DataTerms {
  listener: DataOpening;
  /** The control connection's TLS context when PROT P, else null (a clear data connection). */
  tls: { context: SecureContext; cache: SessionCache; requireReuse: boolean } | null;
  timeoutMs: number;
  log: Logger;
}

/** The data connection could not be had; `reply` says why, on the control connection. */
export class NoDataConnection extends Error {
  constructor(readonly reply: Reply) {
    super(reply.text);
  }
}

/**
 * The data connection for a transfer whose 150 has just gone out: taken from the PASV/EPSV
 * listener (or made to PORT/EPRT's address), then (PROT P) the TLS handshake, after the 150 as vsftpd does it, since clients such
 * as Python's ftplib start TLS only once they read it. The handshake must resume the control
 * connection's session (tickets or session IDs, TLS 1.2 and 1.3), or the transfer is refused with
 * 522 unless `ftp.require-tls-session-reuse` is off: a data connection that cannot show it belongs
 * to the control connection's TLS session could be anyone's (RFC 4217 section 10).
 */
export async function openDataConnection(terms: DataTerms): Promise<Duplex> {
  const socket = await terms.listener.take(terms.timeoutMs);
  if (!socket) {
    throw new NoDataConnection({ code: 425, text: 'no data connection could be opened' });
  }
  socket.setNoDelay(true);
  if (!terms.tls) {
    socket.resume();
    return withStallTimeout(socket, terms.timeoutMs);
  }
  const { context, cache, requireReuse } = terms.tls;
  const secure = await upgradeToTls(socket, context, cache, terms.timeoutMs).catch(
    (err: Error) => {
      terms.log.info({ reason: err.message }, 'TLS handshake on the data connection failed');
      throw new NoDataConnection({
        code: 425,
        text: `the TLS handshake on the data connection failed: ${err.message}`,
      });
    },
  );
  secure.on('error', (err) => terms.log.debug({ err }, 'data connection error'));
  if (!secure.isSessionReused() && requireReuse) {
    terms.log.info('data connection did not reuse the control connection’s TLS session: refused');
    secure.destroy();
    throw new NoDataConnection({
      code: 522,
      text: 'the data connection must reuse the TLS session of the control connection',
    });
  }
  return withStallTimeout(secure, terms.timeoutMs);
}

/** A data connection that moves nothing for `timeoutMs` is cut (and its transfer aborted). */
function withStallTimeout<T extends Socket>(socket: T, timeoutMs: number): T {
  if (timeoutMs > 0) {
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error('the data connection stalled')));
  }
  return socket;
}
