import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import express, { type RequestHandler } from 'express';
import { WebModule } from '../api/web.module';
import type { WebParts } from '../api/web-parts';
import { apiGuard } from '../sessions/guard';
import { uploadsPath } from '../uploads/tus-uploads';
import { hsts, securityHeaders, type HstsState } from './security-headers';

export interface WebApp {
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export interface WebAppOptions {
  tus: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  hstsState: () => HstsState;
  /** The built page (index.html and assets), from `npm run build`. */
  pageDir: string;
}

/**
 * One application for both listeners: security headers on everything, the guard in front of
 * /api, tus at /api/uploads, Nest's controllers for the rest of /api, then the page.
 */
export async function createWebApp(parts: WebParts, options: WebAppOptions): Promise<WebApp> {
  const server = express();
  server.disable('x-powered-by');
  server.use(securityHeaders, hsts(options.hstsState));
  const guard = apiGuard(parts.sessions, parts.fileSessions, parts.logger);
  server.use(underApi(guard));
  server.use((req, res, next) => {
    if (req.path !== uploadsPath && !req.path.startsWith(`${uploadsPath}/`)) return next();
    options.tus(req, res).catch(next);
  });
  // Before Nest: its init ends the chain with a 404 handler of its own.
  servePage(server, options.pageDir);
  const app = await NestFactory.create(WebModule.with(parts), new ExpressAdapter(server), {
    logger: false,
    bodyParser: true,
  });
  await app.init();
  return { handler: server, close: () => app.close() };
}

function underApi(handler: RequestHandler): RequestHandler {
  return (req, res, next) => (req.path.startsWith('/api/') ? handler(req, res, next) : next());
}

/** The page's files, and index.html for any other GET (the page routes by itself). */
function servePage(server: express.Express, pageDir: string): void {
  const index = path.join(pageDir, 'index.html');
  server.use(express.static(pageDir, { index: false, fallthrough: true, maxAge: '1h' }));
  server.get('/{*any}', (req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    if (!existsSync(index)) {
      res.status(503).type('text/plain').send('the web page is not built: run `npm run build`');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

/**
 * The built page: beside the compiled service (dist/services/web-gateway/page), or, when run from
 * the sources, the same folder under dist/ (not page/ beside the sources: that is Vite's input).
 */
export function defaultPageDir(): string {
  const compiled = path.resolve(__dirname, '../../page');
  if (existsSync(path.join(compiled, 'assets'))) return compiled;
  return path.resolve(__dirname, '../../../../dist/services/web-gateway/page');
}
