import { z } from 'zod';
import { defineRequest } from './contract';
import { protocolSchema, timestampSchema, usernameSchema } from './fields';

/** How a session logged in: with a password, or with the public key of this fingerprint. */
export const sessionLoginSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('password') }),
  z.object({ method: z.literal('publickey'), fingerprint: z.string().min(1).max(128) }),
]);
export type SessionLogin = z.infer<typeof sessionLoginSchema>;

/** A file moving in a session now. */
export const liveTransferSchema = z.object({
  direction: z.enum(['upload', 'download']),
  path: z.string(),
  /** Received (upload) or sent (download) so far. */
  bytes: z.number().int().nonnegative(),
  startedAt: timestampSchema,
});
export type LiveTransfer = z.infer<typeof liveTransferSchema>;

/** One logged-in session of one door process. */
export const liveSessionSchema = z.object({
  /** Unique within its door process: `tessera sessions list` shows it, logs carry it. */
  id: z.string().min(1).max(64),
  username: usernameSchema,
  protocol: protocolSchema,
  remoteAddress: z.string().max(64),
  since: timestampSchema,
  login: sessionLoginSchema,
  transfers: z.array(liveTransferSchema),
});
export type LiveSession = z.infer<typeof liveSessionSchema>;

/** Which door process answers: the service and its host and process id (replicas differ). */
const answeredBy = {
  service: z.string().min(1).max(64),
  instance: z.string().min(1).max(256),
};

/**
 * `live-sessions.list`: every door process answers for its own sessions (no queue group), so the
 * asker collects all the replies that come within its wait (libs/bus `BusClient.requestAll`).
 * Not under `sessions.`: the event stream keeps `sessions.>`, and would answer requests itself.
 */
export const liveSessionsList = defineRequest(
  'live-sessions.list',
  z.object({}),
  z.object({ ...answeredBy, sessions: z.array(liveSessionSchema) }),
);

/** `live-sessions.end`: every door process ends its sessions of the user and says how many. */
export const liveSessionsEnd = defineRequest(
  'live-sessions.end',
  z.object({
    username: usernameSchema,
    /** Who asked, for the door's log line (`login@host` from the CLI); NATS permissions decide. */
    requestedBy: z.string().min(1).max(256).optional(),
  }),
  z.object({ ...answeredBy, ended: z.number().int().nonnegative() }),
);
