import { StorageError, type StorageErrorCode } from '@tessera/storage';
import { Status, type StatusCode } from './protocol';
import { status, type Reply } from './replies';

/**
 * The one place where storage's refusals become SFTP status codes. SFTP v3 has few codes, so
 * "already exists", "is a folder" and "not empty" are FAILURE; the message (which names only
 * the virtual path) says which, and OpenSSH's client prints it.
 */
const statusOf: Record<StorageErrorCode, StatusCode> = {
  'not-found': Status.NO_SUCH_FILE,
  'not-a-folder': Status.NO_SUCH_FILE, // as OpenSSH maps ENOTDIR
  'permission-denied': Status.PERMISSION_DENIED,
  'already-exists': Status.FAILURE,
  'invalid-path': Status.FAILURE,
  'is-a-folder': Status.FAILURE,
  'folder-not-empty': Status.FAILURE,
  // SFTP v3 has no quota code (v5's SSH_FX_QUOTA_EXCEEDED is not ours to send): the message says it.
  'too-large': Status.FAILURE,
  'quota-exceeded': Status.FAILURE, // the message starts "quota exceeded"
  'io-error': Status.FAILURE,
};

export function storageErrorReply(error: StorageError): Reply {
  return status(statusOf[error.code], error.message);
}
