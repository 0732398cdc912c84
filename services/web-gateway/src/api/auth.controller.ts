import { Controller, HttpCode, Get, Inject, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { LoginAttempts } from '@tessera/door';
import { z } from 'zod';
import {
  clearedSessionCookieHeader,
  readCookie,
  sessionCookie,
  sessionCookieHeader,
} from '../sessions/cookies';
import { clientAddress } from '../sessions/guard';
import { maybeContextOf } from '../sessions/request-context';
import type { WebSession } from '../sessions/web-sessions';
import { answerError, bodyOf, ClientError } from './answers';
import { WEB_PARTS } from './tokens';
import type { WebParts } from './web-parts';

const loginSchema = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

/** One answer for an unknown name and a wrong password: the form must not tell them apart. */
const refused = 'wrong user name or password';

@Controller('api')
export class AuthController {
  constructor(@Inject(WEB_PARTS) private readonly parts: WebParts) {}

  /** Who is logged in (the page asks at load), with the CSRF token for its unsafe requests. */
  @Get('session')
  session(@Req() req: Request, @Res() res: Response): void {
    const context = maybeContextOf(req);
    if (!context) {
      res.status(401).json({ error: 'you are not logged in' });
      return;
    }
    res.json(sessionAnswer(context.session));
  }

  @Post('login')
  @HttpCode(200)
  async login(@Req() req: Request, @Res() res: Response): Promise<void> {
    try {
      const { username, password } = bodyOf(loginSchema, req.body);
      const address = clientAddress(req);
      const protocol = req.secure ? 'https' : 'http';
      const attempts = new LoginAttempts(this.parts.notices, protocol, address, this.parts.logger);
      const decision = await attempts.decide(username, 'password', () =>
        this.parts.logins[protocol].withPassword(username, password, address),
      );
      if (decision.outcome !== 'accepted' || !decision.user) throw loginRefusal(decision.outcome);
      // A new id at every login: an id planted before it is never the logged-in one.
      await this.parts.sessions.end(readCookie(req.headers.cookie, sessionCookie));
      const { id, session } = await this.parts.sessions.create(decision.user, address);
      this.parts.logger.info({ username: decision.user.username, address }, 'web login');
      res.setHeader('Set-Cookie', sessionCookieHeader(id));
      res.json(sessionAnswer(session));
    } catch (error) {
      answerError(res, error, 'log in', this.parts.logger);
    }
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const context = maybeContextOf(req);
    if (context) {
      await this.parts.sessions.end(context.sessionId);
      this.parts.fileSessions.forget(context.sessionId);
    }
    res.setHeader('Set-Cookie', clearedSessionCookieHeader());
    res.json({ ok: true });
  }
}

function loginRefusal(outcome: string): ClientError {
  if (outcome === 'locked') return new ClientError(429, 'too many failed logins: try again later');
  if (outcome === 'auth-unavailable')
    return new ClientError(503, 'logins cannot be checked just now; try again shortly');
  return new ClientError(401, refused);
}

function sessionAnswer(session: WebSession) {
  return { username: session.user.username, csrfToken: session.csrfToken };
}
