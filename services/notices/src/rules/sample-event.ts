import { randomUUID } from 'node:crypto';
import type { NoticeTrigger } from '@tessera/contracts';
import type { LoggedEvent } from '../deliveries/delivery-log';

/** The made-up event "send test notice" delivers: shaped as the trigger's real events are. */
export function sampleEvent(trigger: NoticeTrigger): LoggedEvent {
  const now = new Date();
  const at = now.toISOString();
  const eventId = randomUUID();
  const base = {
    eventId,
    username: 'tessera-test',
    protocol: 'sftp',
    remoteAddress: '192.0.2.1',
    path: '/tessera-test/sample.txt',
    startedAt: at,
    endedAt: at,
  };
  const byTrigger: Record<NoticeTrigger, Record<string, unknown>> = {
    uploaded: {
      ...base,
      size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    },
    downloaded: { ...base, size: 0 },
    deleted: base,
    renamed: { ...base, toPath: '/tessera-test/renamed.txt' },
    'folder-created': { ...base, path: '/tessera-test' },
    'login-failed': {
      eventId,
      username: 'tessera-test',
      protocol: 'sftp',
      remoteAddress: '192.0.2.1',
      reason: 'a test notice',
      at,
    },
  };
  return { eventId, event: byTrigger[trigger], endedAt: now };
}
