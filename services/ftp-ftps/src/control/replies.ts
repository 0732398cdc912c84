import { NoticeError, StorageError, type StorageErrorCode } from '@tessera/storage';

/** One FTP reply: a code and its text (several lines become a multi-line reply). */
export interface Reply {
  code: number;
  text: string;
}

/** The reply on the wire: "code text", or "code-first … code last" for several lines (RFC 959). */
export function formatReply({ code, text }: Reply): string {
  const lines = text.split('\n').map((l) => l.replace(/\r/g, ''));
  if (lines.length === 1) return `${code} ${lines[0]}\r\n`;
  const last = lines.pop()!;
  // Inner lines start with a space, so none can be mistaken for the end of the reply.
  return `${code}-${lines[0]}\r\n${lines
    .slice(1)
    .map((l) => ` ${l}\r\n`)
    .join('')}${code} ${last}\r\n`;
}

/**
 * Storage's refusals as FTP replies (RFC 959, 3659): 550 for "no such file / not allowed",
 * 553 for a name the server will not take, 552 for space (size limit, quota), 450/451 for a
 * fault on our side that a retry may cure. The text is storage's: it names the virtual path only.
 */
const codes: Record<StorageErrorCode, number> = {
  'not-found': 550,
  'already-exists': 550,
  'permission-denied': 550,
  'invalid-path': 553,
  'not-a-folder': 550,
  'is-a-folder': 550,
  'folder-not-empty': 550,
  'too-large': 552,
  'quota-exceeded': 552,
  'io-error': 451,
};

export function storageReply(error: unknown): Reply | null {
  if (error instanceof StorageError) return { code: codes[error.code], text: error.message };
  return null;
}

/** A file operation done but its event not sent: the client's work succeeded; only we failed. */
export function isNoticeFailure(error: unknown): error is NoticeError {
  return error instanceof NoticeError;
}
