import { extensionHandlers } from './extensions';
import { PacketReader } from './packet-reader';
import type { Reply } from './replies';
import type { RequestHandler } from './request-table';

export interface AuditLine {
  request: string;
  path: string;
  outcome: string;
}

/**
 * The audit line for a request that changed (or tried to change) something on disk by path:
 * mkdir, remove, rename, posix-rename, ... with the path the client named and how it went.
 * Reads, and requests on handles (an upload is reported at CLOSE, as an event), get none.
 */
export function auditLine(handler: RequestHandler, body: Buffer, reply: Reply): AuditLine | null {
  const fields = new PacketReader(body);
  try {
    let request = handler.name;
    if (handler.subject === 'extension') {
      request = fields.text();
      if (!extensionHandlers.get(request)?.mutating) return null;
    } else if (!handler.mutating || handler.subject !== 'path') {
      return null;
    }
    const outcome = reply.kind === 'status' ? reply.message : reply.kind;
    return { request, path: fields.text(), outcome };
  } catch {
    return null; // a malformed request already got BAD_MESSAGE; nothing to audit
  }
}
