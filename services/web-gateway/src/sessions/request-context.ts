import type { IncomingMessage } from 'node:http';
import type { FileSession } from '@tessera/storage';
import type { WebSession } from './web-sessions';

/** What the guard learned about a request: who is logged in, and their files. */
export interface RequestContext {
  sessionId: string;
  session: WebSession;
  files: FileSession;
}

const contexts = new WeakMap<object, RequestContext>();

export function setContext(req: IncomingMessage, context: RequestContext): void {
  contexts.set(req, context);
}

/** The context the guard set; a route behind the guard always has one. */
export function contextOf(req: IncomingMessage): RequestContext {
  const context = contexts.get(req);
  if (!context) throw new Error('no web session on this request: is the route behind the guard?');
  return context;
}

export function maybeContextOf(req: object): RequestContext | undefined {
  return contexts.get(req);
}
