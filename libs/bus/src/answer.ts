import {
  fail,
  invalidFields,
  ok,
  RequestFailure,
  type AnyRequestContract,
  type ParsedRequestOf,
  type ReplyOf,
  type Result,
} from '@tessera/contracts';
import type { Logger } from '@tessera/config';
import { UnreadablePayload } from './bus-server';

/**
 * The whole life of a request at a service's edge: validate against the contract, run the work,
 * map a `RequestFailure` to its error reply and anything unexpected to `internal` (logged, never
 * thrown: a bad message must not stop a service).
 */
export async function answer<C extends AnyRequestContract>(
  contract: C,
  raw: unknown,
  logger: Logger,
  work: (request: ParsedRequestOf<C>) => Promise<ReplyOf<C>>,
): Promise<Result<ReplyOf<C>>> {
  if (raw instanceof UnreadablePayload) {
    return fail('invalid_request', `the request on ${contract.subject} is not JSON: ${raw.reason}`);
  }
  const parsed = contract.request.safeParse(raw);
  if (!parsed.success) {
    return invalidFields(parsed.error.issues);
  }
  try {
    return ok(await work(parsed.data));
  } catch (err) {
    if (err instanceof RequestFailure) {
      return fail(err.code, err.message, err.details);
    }
    if (isStoreUnreachable(err)) {
      logger.error({ err, subject: contract.subject }, 'the database cannot be reached');
      return fail('unavailable', 'the database cannot be reached; try again shortly');
    }
    logger.error({ err, subject: contract.subject }, 'request failed unexpectedly');
    return fail('internal', `the service failed on ${contract.subject}`);
  }
}

/**
 * Prisma's codes for a database that is down or overloaded (can't reach, timed out, connection
 * closed, pool exhausted): the caller should hear "try again", not "the service failed".
 */
const storeUnreachableCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

function isStoreUnreachable(err: unknown): boolean {
  const code =
    typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && storeUnreachableCodes.has(code);
}
