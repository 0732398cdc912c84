import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { filesUploaded } from '@tessera/contracts';
import { testBusPrefix, testNatsUrl } from '@tessera/testing';
import { ensureEventStream, publishEvent } from './events';

describe('the event stream (real JetStream)', () => {
  let nc: NatsConnection;
  const prefix = testBusPrefix();
  let stream: string;

  beforeAll(async () => {
    nc = await connect({ servers: testNatsUrl() });
  });
  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(stream).catch(() => undefined);
    await nc.close();
  });

  it('is created once and found again on the next start', async () => {
    stream = await ensureEventStream(nc, prefix);
    expect(await ensureEventStream(nc, prefix)).toBe(stream);
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.config.subjects).toEqual([
      `${prefix}files.>`,
      `${prefix}folders.>`,
      `${prefix}sessions.>`,
    ]);
    // A door's spool may re-publish after a restart: the window is long enough for that.
    expect(info.config.duplicate_window).toBe(30 * 60 * 1e9);
  });

  it('keeps an event published twice with the same id once', async () => {
    const event = {
      eventId: randomUUID(),
      username: 'alice',
      protocol: 'sftp' as const,
      path: '/in/report.pdf',
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      size: 3,
      sha256: 'a'.repeat(64),
    };
    const js = nc.jetstream();
    await publishEvent(js, filesUploaded, event, prefix);
    await publishEvent(js, filesUploaded, event, prefix);
    const info = await (await nc.jetstreamManager()).streams.info(stream);
    expect(info.state.messages).toBe(1);
  });

  it('refuses to publish an event that breaks its contract', async () => {
    await expect(
      publishEvent(nc.jetstream(), filesUploaded, { eventId: 'nope' } as never, prefix),
    ).rejects.toThrow();
  });
});
