/** What went wrong, in words each protocol maps once to its own status (SFTP, FTP reply, HTTP). */
export type StorageErrorCode =
  | 'not-found'
  | 'already-exists'
  | 'permission-denied'
  | 'invalid-path'
  | 'not-a-folder'
  | 'is-a-folder'
  | 'folder-not-empty'
  /** Past the limit per file (TESSERA_MAX_FILE_SIZE). */
  | 'too-large'
  /** Past the user's quota: the home folder would hold more than the account allows. */
  | 'quota-exceeded'
  | 'io-error';

const defaultDetail: Record<StorageErrorCode, string> = {
  'not-found': 'no such file or folder',
  'already-exists': 'already exists',
  'permission-denied': 'permission denied',
  'invalid-path': 'invalid path',
  'not-a-folder': 'not a folder',
  'is-a-folder': 'is a folder',
  'folder-not-empty': 'folder is not empty',
  'too-large': 'larger than the limit per file; quota exceeded',
  'quota-exceeded': "quota exceeded: the home folder would hold more than the user's quota",
  'io-error': 'input/output error',
};

/**
 * The one error type of the storage layer. Its message names the virtual path only: the real
 * on-disk path never reaches a client. `cause` (when set) is the file system's own error, which
 * may name real paths: for the operator's log, never for the client.
 */
export class StorageError extends Error {
  /** The virtual path the client asked for, with control characters escaped (safe to echo). */
  readonly virtualPath: string;

  constructor(
    readonly code: StorageErrorCode,
    virtualPath: string,
    detail: string = defaultDetail[code],
    options?: { cause?: unknown },
  ) {
    const printable = printablePath(virtualPath);
    super(`${printable}: ${detail}`, options);
    this.name = 'StorageError';
    this.virtualPath = printable;
  }
}

/**
 * The notice sink failed after the file operation itself succeeded: the file is in place (or
 * gone), only the event is in doubt. The service decides whether to tell the client or retry.
 */
export class NoticeError extends Error {
  constructor(
    readonly notice: string,
    readonly payload: Readonly<Record<string, unknown>>,
    cause: unknown,
  ) {
    super(`the ${notice} notice for ${String(payload.path)} could not be delivered`, { cause });
    this.name = 'NoticeError';
  }
}

const errnoToCode: Record<string, StorageErrorCode> = {
  ENOENT: 'not-found',
  EEXIST: 'already-exists',
  EACCES: 'permission-denied',
  EPERM: 'permission-denied',
  EROFS: 'permission-denied',
  // We open with O_NOFOLLOW: ELOOP means "a symbolic link we refuse to follow", or a link loop.
  ELOOP: 'permission-denied',
  ENOTDIR: 'not-a-folder',
  EISDIR: 'is-a-folder',
  ENOTEMPTY: 'folder-not-empty',
  EFBIG: 'too-large',
  ENAMETOOLONG: 'invalid-path',
  // rename() of a folder into itself.
  EINVAL: 'invalid-path',
};

/** Turns a file-system error into a StorageError that names only the virtual path. */
export function fromFsError(error: unknown, virtualPath: string): StorageError {
  if (error instanceof StorageError) return error;
  const errno = errnoOf(error);
  const code = (errno && errnoToCode[errno]) || 'io-error';
  const detail = code === 'io-error' && errno ? `input/output error (${errno})` : undefined;
  return new StorageError(code, virtualPath, detail, { cause: error });
}

export function errnoOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Escapes control characters and shortens, so a hostile path cannot forge log lines or replies. */
function printablePath(path: string): string {
  const escaped = String(path).replace(
    /[\p{Cc}\p{Cs}]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > 300 ? `${escaped.slice(0, 300)}…` : escaped;
}
