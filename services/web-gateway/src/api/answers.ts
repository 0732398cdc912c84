import type { Response } from 'express';
import type { Logger } from '@tessera/config';
import { NoticeError, StorageError, type StorageErrorCode } from '@tessera/storage';
import type { z } from 'zod';

const statusOf: Record<StorageErrorCode, number> = {
  'not-found': 404,
  'already-exists': 409,
  'permission-denied': 403,
  'invalid-path': 400,
  'not-a-folder': 409,
  'is-a-folder': 409,
  'folder-not-empty': 409,
  'too-large': 413,
  'quota-exceeded': 507,
  'io-error': 500,
};

/** Thrown by a route to answer a client error in words. */
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A JSON body checked against its schema, or a 400 saying what is wrong. */
export function bodyOf<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ClientError(400, `bad request: ${first?.path.join('.') || 'body'} ${first?.message}`);
  }
  return parsed.data;
}

/**
 * Answers a failure in words: "you may not delete in /inbox" for a refusal (`doing` is the verb),
 * storage's own words otherwise (they name the virtual path only, never a real one).
 */
export function answerError(res: Response, error: unknown, doing: string, logger: Logger): void {
  if (error instanceof ClientError) {
    res.status(error.status).json({ error: error.message });
  } else if (error instanceof StorageError) {
    const message =
      error.code === 'permission-denied'
        ? `you may not ${doing} in ${parentOf(error.virtualPath)}`
        : error.message;
    if (error.code === 'io-error') logger.error({ err: error }, 'storage failed');
    res.status(statusOf[error.code]).json({ error: message });
  } else if (error instanceof NoticeError) {
    logger.error({ err: error }, 'done, but its event could not be published');
    res.status(200).json({ ok: true });
  } else {
    logger.error({ err: error }, 'request failed');
    res.status(500).json({ error: 'something went wrong on the server' });
  }
}

function parentOf(virtualPath: string): string {
  const cut = virtualPath.lastIndexOf('/');
  return cut <= 0 ? '/' : virtualPath.slice(0, cut);
}
