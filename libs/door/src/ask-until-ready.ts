import type { Logger } from '@tessera/config';

/**
 * Asks until a service answers or `waitMs` has passed, so start order does not matter. Waiting is
 * expected while the other service starts: said once, quietly; giving up is the caller's error.
 */
export async function askUntilReady<T>(
  ask: () => Promise<T>,
  waitMs: number,
  logger: Logger,
  waitingFor: string,
): Promise<T> {
  const end = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ask();
    } catch (error) {
      if (Date.now() >= end) throw error;
      if (attempt === 1)
        logger.info({ reason: error instanceof Error ? error.message : String(error) }, waitingFor);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
