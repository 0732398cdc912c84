import type { Logger } from '@tessera/config';
import { StorageError, type DownloadTransfer, type UploadTransfer } from '@tessera/storage';

/**
 * One line per upload and download, as xferlog keeps one per transfer: who, which way, which
 * file, how many bytes in how long, and how it ended. The logger is the session's (it carries
 * the username); the line is at info, beside the audit lines of other changes.
 */
export interface TransferLine {
  transfer: 'upload' | 'download';
  protocol: 'sftp';
  path: string;
  bytes: number;
  durationMs: number;
  /** "ok", or why it did not complete ("cut off: …", the refusal's message). */
  result: string;
}

export function logUpload(logger: Logger, transfer: UploadTransfer, outcome: unknown): void {
  write(logger, {
    transfer: 'upload',
    protocol: 'sftp',
    path: transfer.virtualPath,
    bytes: transfer.bytesReceived,
    durationMs: transfer.elapsedMs,
    result: resultOf(outcome),
  });
}

export function logDownload(logger: Logger, transfer: DownloadTransfer, outcome: unknown): void {
  write(logger, {
    transfer: 'download',
    protocol: 'sftp',
    path: transfer.virtualPath,
    bytes: transfer.bytesRead,
    durationMs: transfer.elapsedMs,
    result: resultOf(outcome),
  });
}

/** `null` is success; an error becomes its client-safe message (storage's never names real paths). */
function resultOf(outcome: unknown): string {
  if (outcome === null) return 'ok';
  if (typeof outcome === 'string') return outcome;
  if (outcome instanceof StorageError) return outcome.message;
  return 'failed: the server failed on this transfer';
}

function write(logger: Logger, line: TransferLine): void {
  logger.info(line, `sftp ${line.transfer} ${line.result === 'ok' ? 'done' : 'failed'}`);
}
