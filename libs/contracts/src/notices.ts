import { z } from 'zod';
import { defineRequest } from './contract';
import {
  filesDeleted,
  filesDownloaded,
  filesRenamed,
  filesUploaded,
  foldersCreated,
  sessionsLoginFailed,
} from './events';
import { folderSetNameSchema, timestampSchema, usernameSchema } from './fields';

/**
 * Event notices: rules kept by the notices service (`notices.*`), each naming what happened
 * (trigger), whose or where (scope), and who hears (a webhook or e-mail), optionally gathered over
 * a batching window into one message.
 */
export const noticeTriggers = {
  uploaded: filesUploaded,
  downloaded: filesDownloaded,
  deleted: filesDeleted,
  renamed: filesRenamed,
  'folder-created': foldersCreated,
  'login-failed': sessionsLoginFailed,
} as const;
export const noticeTriggerSchema = z.enum(
  Object.keys(noticeTriggers) as [keyof typeof noticeTriggers, ...(keyof typeof noticeTriggers)[]],
  'one of uploaded, downloaded, deleted, renamed, folder-created, login-failed',
);
export type NoticeTrigger = z.infer<typeof noticeTriggerSchema>;

/** The trigger of an event's subject (without the bus prefix), if notices may follow it. */
export function triggerOfSubject(subject: string): NoticeTrigger | undefined {
  const found = Object.entries(noticeTriggers).find(([, c]) => c.subject === subject);
  return found?.[0] as NoticeTrigger | undefined;
}

export const noticeNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a notice name: 1-64 letters, digits, . _ -');

/** Whose events a rule takes: everyone's, some users', a folder set's members', or under a path. */
export const noticeScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('all') }),
  z.object({ kind: z.literal('users'), users: z.array(usernameSchema).min(1).max(1000) }),
  z.object({ kind: z.literal('folder-set'), folderSet: folderSetNameSchema }),
  /** A glob on the virtual path: `*` within one folder, `**` across folders ("/in/**"). */
  z.object({ kind: z.literal('path'), glob: z.string().min(1).max(1024).startsWith('/') }),
]);
export type NoticeScope = z.infer<typeof noticeScopeSchema>;

const webhookUrl = z
  .url({ protocol: /^https?$/, error: 'an https:// (or http://) URL' })
  .max(2048, 'at most 2048 characters');

export const noticeActionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('webhook'),
    url: webhookUrl,
    /** The key the receiver checks `Tessera-Signature` with. */
    secret: z.string().min(16, 'a secret of at least 16 characters').max(256),
  }),
  z.object({ kind: z.literal('email'), to: z.array(z.email()).min(1).max(50) }),
]);
export type NoticeAction = z.infer<typeof noticeActionSchema>;

/** What an operator gives for a rule. `batchSeconds`: gather a window's events into one message. */
export const noticeRuleInputSchema = z.object({
  name: noticeNameSchema,
  trigger: noticeTriggerSchema,
  scope: noticeScopeSchema.default({ kind: 'all' }),
  action: noticeActionSchema,
  batchSeconds: z.number().int().min(1).max(86_400).nullable().default(null),
  enabled: z.boolean().default(true),
});

/** A rule as shown: the webhook secret never leaves the service. */
export const noticeRuleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  trigger: noticeTriggerSchema,
  scope: noticeScopeSchema,
  action: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), url: z.string() }),
    z.object({ kind: z.literal('email'), to: z.array(z.string()) }),
  ]),
  batchSeconds: z.number().int().nullable(),
  enabled: z.boolean(),
  createdAt: timestampSchema,
});
export type NoticeRule = z.infer<typeof noticeRuleSchema>;

export const noticeDeliveryStatusSchema = z.enum(['queued', 'delivered', 'failed']);

/** One line of a notice's delivery log: a message (one event, or a batch) and how it went. */
export const noticeDeliverySchema = z.object({
  id: z.uuid(),
  notice: z.string(),
  status: noticeDeliveryStatusSchema,
  attempts: z.number().int().nonnegative(),
  /** Why the last attempt failed (kept after a later success, for the operator). */
  lastError: z.string().nullable(),
  /** From the (first) event's end to the receiver's acknowledgement. */
  latencyMs: z.number().int().nullable(),
  test: z.boolean(),
  /** The events' paths (user names for login failures). */
  items: z.array(z.string()),
  createdAt: timestampSchema,
  deliveredAt: timestampSchema.nullable(),
});
export type NoticeDelivery = z.infer<typeof noticeDeliverySchema>;

const byName = z.object({ name: noticeNameSchema });
const ruleReply = z.object({ notice: noticeRuleSchema });

export const noticesAdd = defineRequest('notices.add', noticeRuleInputSchema, ruleReply);
export const noticesList = defineRequest(
  'notices.list',
  z.object({}),
  z.object({ notices: z.array(noticeRuleSchema) }),
);
export const noticesShow = defineRequest('notices.show', byName, ruleReply);
export const noticesUpdate = defineRequest(
  'notices.update',
  z.object({
    name: noticeNameSchema,
    newName: noticeNameSchema.optional(),
    trigger: noticeTriggerSchema.optional(),
    scope: noticeScopeSchema.optional(),
    action: noticeActionSchema.optional(),
    batchSeconds: z.number().int().min(1).max(86_400).nullable().optional(),
    enabled: z.boolean().optional(),
  }),
  ruleReply,
);
export const noticesDelete = defineRequest(
  'notices.delete',
  byName,
  z.object({ deleted: z.literal(true) }),
);
/** Queues a sample event for this notice; the reply names the delivery to look for in the log. */
export const noticesTest = defineRequest(
  'notices.test',
  byName,
  z.object({ delivery: noticeDeliverySchema }),
);
export const noticesLog = defineRequest(
  'notices.log',
  z.object({ name: noticeNameSchema, limit: z.number().int().min(1).max(1000).default(50) }),
  z.object({ deliveries: z.array(noticeDeliverySchema) }),
);

/**
 * The body of every webhook POST, versioned: a receiver checks `version` first. `events` holds
 * the stored events as their contracts declare them (one, or a batching window's).
 * Headers: `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * `Tessera-Delivery: <id>` (the same on every retry of one message: the receiver's idempotency key).
 */
export const noticeWebhookBodySchema = z.object({
  version: z.literal(1),
  deliveryId: z.uuid(),
  notice: z.string(),
  trigger: noticeTriggerSchema,
  test: z.boolean(),
  events: z.array(z.record(z.string(), z.unknown())),
  sentAt: timestampSchema,
});
export type NoticeWebhookBody = z.infer<typeof noticeWebhookBodySchema>;
