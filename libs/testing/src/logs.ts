import { Writable } from 'node:stream';
import pino from 'pino';

/**
 * A logger whose lines a test can read back: raw (`lines`, to prove a secret never appears) or
 * parsed (`records()`). Debug level by default: the most a service might say.
 */
export function capturingLogger(level = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: pino({ level }, sink),
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
