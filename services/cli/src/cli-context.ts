import { BusClient } from '@tessera/bus';
import { loadConfig } from '@tessera/config';
import type { AnyRequestContract, ErrorCode, ReplyOf, RequestOf } from '@tessera/contracts';

/** Exit codes a script can rely on. */
export const exitCodes = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** What every command gets: one bus connection (opened on first use) and the output mode. */
export class CliContext {
  private client?: Promise<BusClient>;
  json = false;

  /** Sends a request; a refusal becomes a CliFailure with the service's own message. */
  async call<C extends AnyRequestContract>(
    contract: C,
    payload: RequestOf<C>,
  ): Promise<ReplyOf<C>> {
    const result = await (await this.bus()).request(contract, payload, { timeoutMs: 15_000 });
    if (result.ok) return result.value;
    throw new CliFailure(result.error.message, exitCodeFor(result.error.code));
  }

  bus(): Promise<BusClient> {
    this.client ??= BusClient.connect(loadConfig(), 'tessera-cli').catch((err: unknown) => {
      const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
      throw new CliFailure(
        `cannot reach NATS at ${url} (${err instanceof Error ? err.message : String(err)}): is Tessera running (npm start)?`,
        exitCodes.unavailable,
      );
    });
    return this.client;
  }

  /** Prints a human line, or nothing in --json mode (where `result` prints the data). */
  say(text: string): void {
    if (!this.json) process.stdout.write(text + '\n');
  }

  result(value: unknown, human: () => string): void {
    process.stdout.write((this.json ? JSON.stringify(value, null, 2) : human()) + '\n');
  }

  async close(): Promise<void> {
    if (this.client) await (await this.client.catch(() => undefined))?.close();
  }
}

function exitCodeFor(code: ErrorCode): number {
  return code === 'unavailable'
    ? exitCodes.unavailable
    : code === 'invalid_request'
      ? exitCodes.usage
      : exitCodes.refused;
}

/** Columns padded to their widest cell, for list commands. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
