import { z } from 'zod';
import { resultSchema } from './result';

/** A request/reply pair on one subject: the request schema and the schema of a successful reply. */
export interface RequestContract<Req extends z.ZodType, Rep extends z.ZodType> {
  readonly kind: 'request';
  readonly subject: string;
  readonly request: Req;
  readonly reply: Rep;
  /** Validates a whole reply envelope: `{ ok: true, value }` or `{ ok: false, error }`. */
  readonly result: ReturnType<typeof resultSchema<Rep>>;
}

/** A fire-and-forget (or JetStream) event on one subject. */
export interface EventContract<Payload extends z.ZodType> {
  readonly kind: 'event';
  readonly subject: string;
  readonly payload: Payload;
}

export function defineRequest<Req extends z.ZodType, Rep extends z.ZodType>(
  subject: string,
  request: Req,
  reply: Rep,
): RequestContract<Req, Rep> {
  return { kind: 'request', subject, request, reply, result: resultSchema(reply) };
}

export function defineEvent<Payload extends z.ZodType>(
  subject: string,
  payload: Payload,
): EventContract<Payload> {
  return { kind: 'event', subject, payload };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest contract, for registries
export type AnyRequestContract = RequestContract<any, any>;
export type RequestOf<C extends AnyRequestContract> = z.input<C['request']>;
export type ParsedRequestOf<C extends AnyRequestContract> = z.output<C['request']>;
export type ReplyOf<C extends AnyRequestContract> = z.output<C['reply']>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the widest contract, for registries
export type PayloadOf<C extends EventContract<any>> = z.output<C['payload']>;
