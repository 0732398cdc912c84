import { z } from 'zod';
import { defineRequest } from './contract';
import { timestampSchema } from './fields';

/** A port a service listens on for clients, as an operator would type it into a client. */
export const listeningPortSchema = z.object({
  protocol: z.string(),
  address: z.string(),
  port: z.number().int().min(0).max(65535),
});
export type ListeningPort = z.infer<typeof listeningPortSchema>;

/** A door's connections now, and how many it refused since it started, by reason. */
export const doorConnectionsSchema = z.object({
  connections: z.number().int().nonnegative(),
  users: z.number().int().nonnegative(),
  refused: z.record(z.string(), z.number().int().nonnegative()),
});
export type DoorConnections = z.infer<typeof doorConnectionsSchema>;

/** A door's spool of events on their way to JetStream (libs/door EventSpool), since it started. */
export const spoolCountsSchema = z.object({
  pending: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  unspooled: z.number().int().nonnegative(),
  corrupt: z.number().int().nonnegative(),
});

/** The notices service's deliveries since it started, and how far its consumer is behind. */
export const noticeCountsSchema = z.object({
  delivered: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  retried: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
  /** Events in the stream the consumer has not taken yet (JetStream's num_pending). */
  consumerLag: z.number().int().nonnegative(),
});

/** What a service says about itself beyond "I answer": filled in by the doors. */
export const healthDetailsSchema = z.object({
  listening: z.array(listeningPortSchema).default([]),
  /** SHA256 fingerprints of the SSH host keys a door offers right now. */
  hostKeyFingerprints: z.array(z.string()).optional(),
  connections: doorConnectionsSchema.optional(),
  events: spoolCountsSchema.optional(),
  notices: noticeCountsSchema.optional(),
});
export type HealthDetails = z.infer<typeof healthDetailsSchema>;

export const healthReplySchema = healthDetailsSchema.extend({
  service: z.string(),
  version: z.string(),
  startedAt: timestampSchema,
  uptimeSeconds: z.number().int().nonnegative(),
});
export type HealthReply = z.infer<typeof healthReplySchema>;

/**
 * `health.<service>`: answered by every bus service's transport itself (libs/bus BusServer), so a
 * container healthcheck proves the process is up AND connected to NATS under its own queue; `npm
 * start`'s ready line and `tessera status` read the details.
 */
export const healthPing = (service: string) =>
  defineRequest(`health.${service}`, z.object({}), healthReplySchema);

/** The services every Tessera install runs, in start order: what `tessera status` asks. */
export const tesseraServices = [
  'user-auth',
  'pki',
  'sftp',
  'ftp-ftps',
  'web-gateway',
  'notices',
] as const;
