import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { filesDeleted, type DoorEvent } from '@tessera/contracts';
import { capturingLogger, eventually } from '@tessera/testing';
import { EventSpool } from './event-spool';

/** A JetStream stand-in that can be switched off, and records what it took, in order. */
function fakeStream() {
  const taken: string[] = [];
  let up = true;
  return {
    taken,
    set up(value: boolean) {
      up = value;
    },
    publish: (_contract: DoorEvent, payload: unknown) => {
      if (!up) return Promise.reject(new Error('no JetStream'));
      taken.push((payload as { eventId: string }).eventId);
      return Promise.resolve();
    },
  };
}

function deleted(n: number) {
  return {
    eventId: randomUUID(),
    username: 'alice',
    protocol: 'sftp' as const,
    path: `/f${n}.txt`,
    startedAt: new Date().toISOString(),
    endedAt: new Date().toISOString(),
  };
}

const pendingFiles = async (folder: string) =>
  (await readdir(folder)).filter((f) => f.endsWith('.json'));

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'tessera-spool-'));
});
afterEach(() => rm(folder, { recursive: true, force: true }));

describe('EventSpool', () => {
  it('keeps events on disk while JetStream is away and sends them in order once it is back', async () => {
    const stream = fakeStream();
    stream.up = false;
    const spool = await new EventSpool(folder, stream.publish, capturingLogger().logger, 20).open();
    const events = Array.from({ length: 20 }, (_, n) => deleted(n));
    for (const event of events) await spool.add(filesDeleted, event);
    expect(await pendingFiles(folder)).toHaveLength(20);
    expect(spool.status).toMatchObject({ pending: 20, sent: 0 });

    stream.up = true;
    await eventually(() => (spool.status.pending === 0 ? true : undefined), 5000);
    expect(stream.taken).toEqual(events.map((e) => e.eventId));
    expect(await pendingFiles(folder)).toEqual([]);
    expect(spool.status).toMatchObject({ sent: 20, unspooled: 0, corrupt: 0 });
    await spool.close();
  });

  it('leaves unsent events for the next start, which sends them in the order they came', async () => {
    const stream = fakeStream();
    stream.up = false;
    const first = await new EventSpool(folder, stream.publish, capturingLogger().logger, 20).open();
    const events = Array.from({ length: 5 }, (_, n) => deleted(n));
    for (const event of events) await first.add(filesDeleted, event);
    await first.close();

    stream.up = true;
    const log = capturingLogger();
    const second = await new EventSpool(folder, stream.publish, log.logger, 20).open();
    await eventually(() => (second.status.pending === 0 ? true : undefined), 5000);
    expect(stream.taken).toEqual(events.map((e) => e.eventId));
    expect(log.records()).toContainEqual(
      expect.objectContaining({ msg: 'sending events spooled earlier', events: 5 }),
    );
    await second.close();
  });

  it('sets a corrupt entry aside, counts it, and sends the rest', async () => {
    const stream = fakeStream();
    const good = deleted(1);
    await writeFile(path.join(folder, '00000000000001-000000000-x.json'), '{"subject":"files.del');
    await writeFile(
      path.join(folder, '00000000000002-000000000-y.json'),
      JSON.stringify({ subject: 'files.deleted', event: { eventId: 'not-a-uuid' } }),
    );
    await writeFile(
      path.join(folder, '00000000000003-000000000-z.json'),
      JSON.stringify({ subject: 'files.deleted', event: good }),
    );
    const log = capturingLogger();
    const spool = await new EventSpool(folder, stream.publish, log.logger, 20).open();
    await eventually(() => (spool.status.pending === 0 ? true : undefined), 5000);
    expect(stream.taken).toEqual([good.eventId]);
    expect(spool.status).toMatchObject({ sent: 1, corrupt: 2 });
    expect(await readdir(path.join(folder, 'corrupt'))).toHaveLength(2);
    await spool.close();
  });

  it('sends straight on when the disk refuses the event, and counts it', async () => {
    const stream = fakeStream();
    const log = capturingLogger();
    const spool = await new EventSpool(folder, stream.publish, log.logger, 20).open();
    await rm(folder, { recursive: true }); // stands in for a full or lost volume
    const event = deleted(1);
    await spool.add(filesDeleted, event);
    expect(stream.taken).toEqual([event.eventId]);
    expect(spool.status).toMatchObject({ unspooled: 1, pending: 0 });

    stream.up = false;
    await expect(spool.add(filesDeleted, deleted(2))).rejects.toThrow('no JetStream');
    expect(spool.status.unspooled).toBe(2);
    await spool.close();
  });

  it('refuses an event that breaks its contract before writing anything', async () => {
    const spool = await new EventSpool(
      folder,
      fakeStream().publish,
      capturingLogger().logger,
    ).open();
    await expect(spool.add(filesDeleted, { eventId: 'x' })).rejects.toThrow();
    expect(await pendingFiles(folder)).toEqual([]);
    await spool.close();
  });
});
