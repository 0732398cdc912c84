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
