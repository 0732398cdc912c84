import { z } from 'zod';
import { defineEvent } from './contract';
import { protocolSchema, timestampSchema, usernameSchema } from './fields';

/**
 * Events that must not be lost travel through JetStream: this stream holds them, and `eventId`
 * is the JetStream message id, so a redelivered or re-published event is recognised and kept once.
 */
export const eventStream = {
  name: 'TESSERA_EVENTS',
  subjects: ['files.>', 'folders.>', 'sessions.>'],
  /**
   * How long JetStream remembers a message id to drop a re-publish. A door's spool re-publishes
   * an event whose acknowledgement was lost (within seconds) or that was sent just before the door
   * died (at its restart): half an hour covers both without keeping millions of ids in memory.
   * Past it, the notices service's own key (event id + rule) still delivers once.
   */
  duplicateWindowSeconds: 30 * 60,
} as const;

const fileEventBase = {
  eventId: z.uuid(),
  username: usernameSchema,
  protocol: protocolSchema,
  /** The virtual path as the client sees it, from its home: "/reports/q3.pdf". */
  path: z.string().min(1),
  remoteAddress: z.string().max(64).optional(),
  startedAt: timestampSchema,
  endedAt: timestampSchema,
};

export const filesUploaded = defineEvent(
  'files.uploaded',
  z.object({
    ...fileEventBase,
    size: z.number().int().nonnegative(),
    /**
     * Hex sha256 of the whole file, or null when knowing it would cost more than the bytes the
     * client sent: bytes that arrived in order from an empty file are hashed as they stream;
     * otherwise the file is read back only if it is no larger than what was received. So a
     * resumed upload (earlier bytes never seen) or a file with gaps never written reports null.
     */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
    /**
     * False when the transfer was cut and its partial file was left under the real name for a
     * later resume (`uploads.keep-partial` on, or a cut resume, which always writes in place).
     * Absent means complete: events from before this field, and producers that never cut.
     */
    complete: z.boolean().optional(),
  }),
);

export const filesDownloaded = defineEvent(
  'files.downloaded',
  z.object({ ...fileEventBase, size: z.number().int().nonnegative() }),
);

export const filesDeleted = defineEvent('files.deleted', z.object(fileEventBase));

export const filesRenamed = defineEvent(
  'files.renamed',
  z.object({ ...fileEventBase, toPath: z.string().min(1) }),
);

export const foldersCreated = defineEvent('folders.created', z.object(fileEventBase));

export const sessionsLoginFailed = defineEvent(
  'sessions.login.failed',
  z.object({
    eventId: z.uuid(),
    username: z.string().max(256),
    protocol: protocolSchema,
    remoteAddress: z.string().max(64).optional(),
    /** "bad-password", "unknown-key", "locked", "disabled", ... for the operator's log. */
    reason: z.string().max(256),
    at: timestampSchema,
  }),
);

/** Every event a door publishes, for those that read them by subject (the spool, notices). */
export const doorEvents = [
  filesUploaded,
  filesDownloaded,
  filesDeleted,
  filesRenamed,
  foldersCreated,
  sessionsLoginFailed,
] as const;
export type DoorEvent = (typeof doorEvents)[number];
