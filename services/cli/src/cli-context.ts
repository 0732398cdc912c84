import os from 'node:os';
import { BusClient } from '@tessera/bus';
import { ConfigError, loadConfig } from '@tessera/config';
import {
  fieldIssuesOf,
  type AnyRequestContract,
  type BusError,
  type ErrorCode,
  type FieldIssue,
  type ReplyOf,
  type RequestOf,
} from '@tessera/contracts';

/** Exit codes a script can rely on. */
export const exitCodes = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** The service's refusal, when there was one: a command may turn some into a warning. */
    readonly refusal?: BusError,
  ) {
    super(message);
  }
}

/**
 * Which option or argument of a command fills each request field (`{ homeFolder: '--home' }`, or a
 * nested one: `{ 'subject.country': '--country' }`), so a refusal names what the operator typed
 * rather than the contract's field path.
 */
type FieldName<C extends AnyRequestContract> = keyof RequestOf<C> & string;
export type OptionNames<C extends AnyRequestContract> = Partial<
  Record<FieldName<C> | `${FieldName<C>}.${string}`, string>
>;

/** What every command gets: one bus connection (opened on first use) and the output mode. */
export class CliContext {
  private client?: Promise<BusClient>;
  json = false;

  /**
   * Sends a request; a refusal becomes a CliFailure with the service's own message, each field
   * problem named by `options` (checked here against the contract first, or by the service).
   */
  async call<C extends AnyRequestContract>(
    contract: C,
    payload: RequestOf<C>,
    options: OptionNames<C> = {},
  ): Promise<ReplyOf<C>> {
    const result = await (await this.bus()).request(contract, payload, { timeoutMs: 15_000 });
    if (result.ok) return result.value;
    throw refusal(result.error, payload, options);
  }

  /**
   * Asks every process that answers (each door for its own sessions) and returns their replies;
   * a refusal from any of them fails the command as `call` does. No answer is an empty list.
   */
  async callAll<C extends AnyRequestContract>(
    contract: C,
    payload: RequestOf<C>,
    options: OptionNames<C> = {},
  ): Promise<ReplyOf<C>[]> {
    const results = await (await this.bus()).requestAll(contract, payload, { waitMs: 2000 });
    const refused = results.find((r) => !r.ok);
    if (refused && !refused.ok) throw refusal(refused.error, payload, options);
    return results.flatMap((r) => (r.ok ? [r.value as ReplyOf<C>] : []));
  }

  bus(): Promise<BusClient> {
    this.client ??= BusClient.connect(this.config(), 'tessera-cli').catch((err: unknown) => {
      const url = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
      throw new CliFailure(
        `cannot reach NATS at ${url} (${err instanceof Error ? err.message : String(err)}): is Tessera running (npm start)?`,
        exitCodes.unavailable,
      );
    });
    return this.client;
  }

  /** A bad environment value is bad input (exit 2), named by its variable. */
  private config() {
    try {
      return loadConfig();
    } catch (err) {
      if (err instanceof ConfigError) throw new CliFailure(err.message, exitCodes.usage);
      throw err;
    }
  }

  /** Done, but the operator should know: on stderr, so --json output stays clean. */
  warn(text: string): void {
    process.stderr.write(`tessera: warning: ${text}\n`);
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

/** A service's refusal as the operator reads it, each field named by what they typed. */
function refusal(error: BusError, payload: unknown, options: Record<string, string | undefined>) {
  const fields = fieldIssuesOf(error);
  return new CliFailure(
    fields.length
      ? fields.map((f) => inOptionWords(f, payload, options)).join('; ')
      : error.message,
    exitCodeFor(error.code),
    error,
  );
}

/**
 * "--home: a home folder is relative …". The most specific option wins ("subject.country" before
 * "subject"); an item of a repeatable option also shows its value when short ("--rule /a/../b: …"),
 * so the operator sees which one; a field no option fills keeps just its message.
 */
function inOptionWords(
  issue: FieldIssue,
  payload: unknown,
  options: Record<string, string | undefined>,
): string {
  const fields = issue.path.filter((p): p is string => typeof p === 'string');
  const option = fields
    .map((_, i) => options[fields.slice(0, fields.length - i).join('.')])
    .find(Boolean);
  if (!option) return issue.message;
  const item = issue.path.some((p) => typeof p === 'number')
    ? valueAt(payload, issue.path)
    : undefined;
  const shown = typeof item === 'string' && item.length <= 80 ? `${option} ${item}` : option;
  return `${shown}: ${issue.message}`;
}

function valueAt(value: unknown, path: FieldIssue['path']): unknown {
  return path.reduce<unknown>(
    (at, key) =>
      typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined,
    value,
  );
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

/** Who asks, for the service's audit line (unlocks, settings): this machine's login and host name. */
export function operator(): string {
  return `${loginName()}@${os.hostname()}`;
}

/** os.userInfo() throws for a uid with no passwd entry, as in many containers. */
function loginName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? 'unknown'}`;
  }
}
