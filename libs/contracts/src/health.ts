import { z } from 'zod';
import { defineRequest } from './contract';
import { timestampSchema } from './fields';

/**
 * `health.<service>`: answered by every bus service's transport itself (libs/bus BusServer), so a
 * container healthcheck proves the process is up AND connected to NATS under its own queue.
 */
export const healthPing = (service: string) =>
  defineRequest(
    `health.${service}`,
    z.object({}),
    z.object({ service: z.string(), startedAt: timestampSchema }),
  );
