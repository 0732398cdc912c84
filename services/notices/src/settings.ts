import { z } from 'zod';
import { parseEnvironment } from '@tessera/config';

/**
 * The notices service's own fixed settings, from the environment at start (a bad value stops the
 * service naming the variable). The SMTP server is a run-time setting (`notices.smtp-*`, kept by
 * user-auth), followed live.
 */
const millis = (fallback: number, min: number) =>
  z.coerce
    .number('whole milliseconds')
    .int('whole milliseconds')
    .min(min, `at least ${min}`)
    .default(fallback);

const schema = z.object({
  /** How long one webhook POST or SMTP exchange may take. */
  TESSERA_NOTICES_TIMEOUT_MS: millis(10_000, 100),
  /** The first retry's delay; each next one doubles, with ±50 % jitter, up to the maximum. */
  TESSERA_NOTICES_RETRY_BASE_MS: millis(5_000, 10),
  TESSERA_NOTICES_RETRY_MAX_MS: millis(15 * 60_000, 10),
  /** Attempts before a delivery is recorded as failed (the first send included). */
  TESSERA_NOTICES_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  /**
   * How long JetStream waits for an event's acknowledgement before giving it again (to this or
   * another replica): how soon the events a killed replica held are taken up.
   */
  TESSERA_NOTICES_ACK_WAIT_MS: millis(30_000, 1000),
  /** How often the sender looks for due deliveries when nothing woke it. */
  TESSERA_NOTICES_POLL_MS: millis(500, 10),
});

export interface NoticesSettings {
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  attempts: number;
  pollMs: number;
  ackWaitMs: number;
}

export function loadNoticesSettings(env: NodeJS.ProcessEnv = process.env): NoticesSettings {
  const s = parseEnvironment(schema, env);
  return {
    timeoutMs: s.TESSERA_NOTICES_TIMEOUT_MS,
    retryBaseMs: s.TESSERA_NOTICES_RETRY_BASE_MS,
    retryMaxMs: s.TESSERA_NOTICES_RETRY_MAX_MS,
    attempts: s.TESSERA_NOTICES_ATTEMPTS,
    pollMs: s.TESSERA_NOTICES_POLL_MS,
    ackWaitMs: s.TESSERA_NOTICES_ACK_WAIT_MS,
  };
}
