import type { Request, RequestHandler } from 'express';
import type { Logger } from '@tessera/config';
import { readCookie, sessionCookie } from './cookies';
import type { FileSessions } from './file-sessions';
import { setContext } from './request-context';
import type { WebSessions } from './web-sessions';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
/** API routes open without a session. */
const open = new Set(['/api/login', '/api/session']);
export const csrfHeader = 'x-csrf-token';

/**
 * In front of every /api route: an unsafe method must come from our own origin (Origin, as
 * browsers send it on every POST/PUT/PATCH/DELETE) and, once logged in, carry the session's CSRF
 * token in a header; a route other than login needs a live session, whose user and files the
 * routes then find with `contextOf(req)`.
 */
export function apiGuard(
  sessions: WebSessions,
  fileSessions: FileSessions,
  logger: Logger,
): RequestHandler {
  return (req, res, next) => {
    const unsafe = !safeMethods.has(req.method);
    if (unsafe && !sameOrigin(req)) {
      res.status(403).json({ error: 'refused: this request did not come from this site' });
      return;
    }
    const id = readCookie(req.headers.cookie, sessionCookie);
    sessions
      .find(id)
      .then((session) => {
        if (!session || !id) {
          if (open.has(req.path)) return next();
          res.status(401).json({ error: 'you are not logged in (or your session ended)' });
          return;
        }
        if (unsafe && req.path !== '/api/login' && req.get(csrfHeader) !== session.csrfToken) {
          res.status(403).json({ error: 'refused: the request carried no valid CSRF token' });
          return;
        }
        const files = fileSessions.for(id, session.user, clientAddress(req));
        setContext(req, { sessionId: id, session, files });
        next();
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'web sessions could not be read');
        res.status(503).json({ error: 'sessions are unavailable just now; try again shortly' });
      });
  };
}

/** Origin (or, without it, Referer) names this very site: the scheme and host it was asked on. */
function sameOrigin(req: Request): boolean {
  const here = `${req.secure ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  const origin = req.get('origin');
  if (origin) return origin === here;
  const referer = req.get('referer');
  return referer !== undefined && (referer === here || referer.startsWith(`${here}/`));
}

/** The peer's address as user-auth's lockouts count it (IPv4-mapped IPv6 made plain). */
export function clientAddress(req: Pick<Request, 'socket'>): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
