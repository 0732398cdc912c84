import path from 'node:path';
import { z } from 'zod';
import { byteSizeMessage, byteSizePattern, parseByteSize } from '@tessera/contracts';

/**
 * The one configuration loader. Every service reads the same names; a bad value stops the service
 * at start with a message naming the variable, and nothing falls back silently.
 */
const port = (fallback: number) =>
  z.coerce
    .number({ error: 'a port 1-65535' })
    .int('a port 1-65535')
    .min(1, 'a port 1-65535')
    .max(65535, 'a port 1-65535')
    .default(fallback);

/** Lockout counts: at least one failure, or a lock would start before anyone tried. */
const failures = (fallback: number) =>
  z.coerce
    .number('a whole number of failed logins')
    .int('a whole number of failed logins')
    .min(1, 'at least 1 failed login')
    .max(100_000, 'at most 100000 failed logins')
    .default(fallback);

/** Lockout times in seconds, as TESSERA_SFTP_IDLE_TIMEOUT; at most a week, so a typo cannot lock for years. */
const lockoutSeconds = (fallback: number) =>
  z.coerce
    .number('whole seconds')
    .int('whole seconds')
    .min(1, 'at least 1 second')
    .max(7 * 24 * 3600, 'at most 604800 seconds (a week)')
    .default(fallback);

/** "true"/"false" (or 1/0), as the SFTP door's own flags. */
const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0'], 'true or false')
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1');

const byteSize = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(byteSizePattern, byteSizeMessage)
    .transform((text) => parseByteSize(text) ?? NaN)
    .pipe(
      z
        .number()
        .int(byteSizeMessage)
        .min(1, 'at least 1 byte')
        .max(Number.MAX_SAFE_INTEGER, 'at most 8 PiB'),
    )
    .default(fallback);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgresql:// URL')
    .default('postgresql://postgres@127.0.0.1:5432/tessera'),
  NATS_URL: z
    .string()
    .regex(/^(nats|tls):\/\//, 'a nats:// URL (several may be joined with commas)')
    .default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  /** Prepended to every subject: lets test runs and several installs share one NATS. */
  TESSERA_BUS_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9_-]+\.)*$/, 'empty, or dot-terminated tokens such as "site-a."')
    .default(''),
  TESSERA_DATA_DIR: z.string().min(1).default('./data'),
  TESSERA_MASTER_KEY: z.string().min(1).optional(),
  // From here to the lockout policy: the seeds of live settings (user-auth writes them into the
  // settings table for a setting with no row yet; after that the table wins, docs/architecture.md).
  TESSERA_HTTP_PORT: port(8080),
  TESSERA_HTTPS_PORT: port(8443),
  TESSERA_FTP_PORT: port(2121),
  TESSERA_FTPS_IMPLICIT_PORT: port(9990),
  TESSERA_SFTP_PORT: port(2222),
  TESSERA_BIND_ADDRESS: z.string().min(1).default('127.0.0.1'),
  TESSERA_PASV_RANGE: z
    .string()
    .regex(/^\d{1,5}-\d{1,5}$/, 'a range such as 50000-50100')
    .default('50000-50100'),
  TESSERA_PASV_ADDRESS: z.string().min(1).optional(),
  /** The host name the HTTP redirect points to (web.host-name); unset: the machine's host name. */
  TESSERA_WEB_HOST_NAME: z.string().min(1).optional(),
  /** Different users logged in over SFTP at once (services/sftp/README.md). */
  TESSERA_SFTP_MAX_USERS: z.coerce
    .number('a whole number')
    .int('a whole number')
    .min(1, 'at least 1')
    .max(100_000, 'at most 100000')
    .default(100),
  /**
   * A cut upload leaves its partial file under the real name, for a later resume (`reput`),
   * instead of nothing (services/sftp/README.md, "Cut uploads").
   */
  TESSERA_UPLOADS_KEEP_PARTIAL: flag(false),
  /** Connections one user may hold over SFTP at once (services/sftp/README.md). */
  TESSERA_SFTP_MAX_CONNECTIONS_PER_USER: z.coerce
    .number('a whole number')
    .int('a whole number')
    .min(1, 'at least 1')
    .max(1000, 'at most 1000')
    .default(32),
  /**
   * Failed password logins for one user from one address that lock that user's password logins
   * from that address (the attacker's, not the victim's elsewhere) for TESSERA_LOCKOUT_DURATION.
   */
  TESSERA_LOCKOUT_USER_FAILURES: failures(5),
  /** Failed password logins from one address, over any names, that lock the address's passwords. */
  TESSERA_LOCKOUT_ADDRESS_FAILURES: failures(20),
  /**
   * Failed-login counts kept for names that are no account; beyond it the least recently tried is
   * forgotten, so a flood of random names cannot grow the table without limit.
   */
  TESSERA_LOCKOUT_UNKNOWN_NAMES: z.coerce
    .number('a whole number of names')
    .int('a whole number of names')
    .min(1, 'at least 1 name')
    .max(1_000_000, 'at most 1000000 names')
    .default(10_000),
  /** Seconds within which failures are counted together; older ones start a fresh count. */
  TESSERA_LOCKOUT_WINDOW: lockoutSeconds(15 * 60),
  /** Seconds a lock lasts (`tessera users unlock` lifts it sooner). */
  TESSERA_LOCKOUT_DURATION: lockoutSeconds(15 * 60),
  /**
   * The size one file may reach through any door. A write past it is refused at once, so one
   * request cannot make a sparse terabyte file. Large by default: a limit against abuse, not a quota.
   */
  TESSERA_MAX_FILE_SIZE: byteSize(2 ** 40),
  TESSERA_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info'),
});

export type TesseraEnv = z.infer<typeof envSchema>;

/**
 * How many failed password logins lock a user from one address, or an address, and for how long;
 * and how many unknown names are counted at most (TESSERA_LOCKOUT_*).
 */
export interface LockoutPolicy {
  userFailures: number;
  addressFailures: number;
  unknownNames: number;
  windowSeconds: number;
  lockSeconds: number;
}

export interface TesseraConfig extends TesseraEnv {
  /** Absolute paths derived from TESSERA_DATA_DIR. */
  paths: {
    data: string;
    homes: string;
    sshKeys: string;
    /** The doors' spools of events not yet in JetStream, one folder per door (`spool/sftp`). */
    spool: string;
  };
  lockout: LockoutPolicy;
  production: boolean;
}

export class ConfigError extends Error {}

/**
 * Environment variables read through a schema, the one way every service reads its own: empty
 * values count as unset, and a bad value stops the service with a ConfigError naming each
 * variable and what it expects.
 */
export function parseEnvironment<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const parsed = schema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}: expected ${expectation(i.message)}`,
    );
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TesseraConfig {
  const cfg = parseEnvironment(envSchema, env);
  checkPassiveRange(cfg.TESSERA_PASV_RANGE);
  checkDistinctPorts(cfg);
  const data = path.resolve(cfg.TESSERA_DATA_DIR);
  return {
    ...cfg,
    paths: {
      data,
      homes: path.join(data, 'homes'),
      sshKeys: path.join(data, 'sshkeys'),
      spool: path.join(data, 'spool'),
    },
    lockout: {
      userFailures: cfg.TESSERA_LOCKOUT_USER_FAILURES,
      addressFailures: cfg.TESSERA_LOCKOUT_ADDRESS_FAILURES,
      unknownNames: cfg.TESSERA_LOCKOUT_UNKNOWN_NAMES,
      windowSeconds: cfg.TESSERA_LOCKOUT_WINDOW,
      lockSeconds: cfg.TESSERA_LOCKOUT_DURATION,
    },
    production: cfg.NODE_ENV === 'production',
  };
}

/** zod's own messages read "Invalid option: expected one of …": keep just what is expected. */
function expectation(message: string): string {
  return message.replace(/^Invalid (input|option): expected /, '');
}

/** Compose files often pass `VAR=` for unset values; treat empty as unset so defaults apply. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '',
    ),
  );
}

function checkPassiveRange(range: string): void {
  const [low, high] = range.split('-').map(Number) as [number, number];
  if (low < 1024 || high > 65535 || low > high) {
    throw new ConfigError(
      `Invalid configuration:\n  TESSERA_PASV_RANGE: expected low-high within 1024-65535, got ${range}`,
    );
  }
}

const doorPorts = [
  'TESSERA_HTTP_PORT',
  'TESSERA_HTTPS_PORT',
  'TESSERA_FTP_PORT',
  'TESSERA_FTPS_IMPLICIT_PORT',
  'TESSERA_SFTP_PORT',
] as const;

/** Two doors on one port is refused at start, naming both. */
function checkDistinctPorts(cfg: TesseraEnv): void {
  const seen = new Map<number, string>();
  for (const name of doorPorts) {
    const other = seen.get(cfg[name]);
    if (other) {
      throw new ConfigError(
        `Invalid configuration:\n  ${other} and ${name} both use port ${cfg[name]}`,
      );
    }
    seen.set(cfg[name], name);
  }
}
