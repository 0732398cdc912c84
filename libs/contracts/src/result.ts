import { z } from 'zod';

/**
 * Every reply on the bus is one of these envelopes. Codes are few and stable so each door can map
 * them once to its own protocol (SFTP status, FTP reply code, HTTP status).
 */
export const errorCodes = [
  'invalid_request', // the payload does not match the contract
  'not_found',
  'conflict', // unique name taken, key already registered, ...
  'unauthorized', // wrong password or key, disabled account
  'locked', // too many failures: temporary lock
  'forbidden', // privilege or policy says no
  'unavailable', // a dependency (database, bus) is down or timed out
  'internal',
] as const;
export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const busErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  /** Seconds until a lock ends, field problems, ...: extra facts a client may show. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type BusError = z.infer<typeof busErrorSchema>;

export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: busErrorSchema }),
  ]);
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: BusError };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (
  code: ErrorCode,
  message: string,
  details?: Record<string, unknown>,
): Result<never> => ({
  ok: false,
  error: details ? { code, message, details } : { code, message },
});

/** One field a request got wrong: where it sits in the payload, and what is expected there. */
export const fieldIssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
});
export type FieldIssue = z.infer<typeof fieldIssueSchema>;

/**
 * An `invalid_request` about fields. The message reads "path: what is expected" for logs and plain
 * clients; `details.fields` keeps the paths apart so a client can name the field in its own words
 * (the CLI names the option the operator typed).
 */
export function invalidFields(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): Result<never> {
  const fields = issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
  return fail('invalid_request', fields.map(describeField).join('; '), { fields });
}

/** The field issues a refusal carries, if it is about fields. */
export function fieldIssuesOf(error: BusError): FieldIssue[] {
  const fields = z.array(fieldIssueSchema).safeParse(error.details?.fields);
  return error.code === 'invalid_request' && fields.success ? fields.data : [];
}

const describeField = (f: FieldIssue) =>
  f.path.length ? `${f.path.join('.')}: ${f.message}` : f.message;

/**
 * Thrown by service code for an expected refusal; the bus edge turns it into `fail(code, message)`.
 * Anything else thrown becomes `internal` and is logged.
 */
export class RequestFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

/** A service's own refusal of one field (beyond its schema), carried like a schema issue. */
export const fieldRefusal = (path: FieldIssue['path'], message: string) =>
  new RequestFailure('invalid_request', message, { fields: [{ path, message }] });
