import type { LiveTransfer } from '@tessera/contracts';
import type { OpenHandles } from './open-handles';

/** The uploads and downloads open in one SFTP session, as `tessera sessions list` shows them. */
export function liveTransfers(handles: OpenHandles): LiveTransfer[] {
  const now = Date.now();
  const startedAt = (elapsedMs: number) => new Date(now - elapsedMs).toISOString();
  return handles.list().flatMap((item): LiveTransfer[] => {
    if (item.kind === 'upload') {
      const { virtualPath, bytesReceived, elapsedMs } = item.transfer;
      return [
        {
          direction: 'upload',
          path: virtualPath,
          bytes: bytesReceived,
          startedAt: startedAt(elapsedMs),
        },
      ];
    }
    if (item.kind === 'download') {
      const { virtualPath, bytesRead, elapsedMs } = item.transfer;
      return [
        {
          direction: 'download',
          path: virtualPath,
          bytes: bytesRead,
          startedAt: startedAt(elapsedMs),
        },
      ];
    }
    return [];
  });
}
