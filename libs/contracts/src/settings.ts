import { z } from 'zod';
import { defineEvent, defineRequest } from './contract';
import { timestampSchema } from './fields';

/**
 * Run-time settings: what the operator changes in the settings window or with `tessera settings`,
 * named in the operator's words. Stored by user-auth (table `settings`), announced on
 * `settings.changed`, applied by each door without a restart.
 */
const flag = z.boolean('true or false');
const port = z
  .number('a port 1-65535')
  .int('a port 1-65535')
  .min(1, 'a port 1-65535')
  .max(65535, 'a port 1-65535');
const count = (max: number, what: string) =>
  z
    .number(`a whole number of ${what}`)
    .int(`a whole number of ${what}`)
    .min(1, `at least 1`)
    .max(max, `at most ${max}`);
const failures = count(100_000, 'failed logins');
const seconds = z
  .number('whole seconds')
  .int('whole seconds')
  .min(1, 'at least 1 second')
  .max(7 * 24 * 3600, 'at most 604800 seconds (a week)');

/** "50000-50100": within 1024-65535, low before high. */
const portRange = z
  .string()
  .regex(/^\d{1,5}-\d{1,5}$/, 'a range such as 50000-50100')
  .refine((r) => {
    const [low, high] = parsePortRange(r);
    return low >= 1024 && high <= 65535 && low <= high;
  }, 'low-high within 1024-65535');

/** A host name or IP address; null means "the address the client connected to". */
const address = z
  .string()
  .regex(/^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address')
  .nullable();

/** An SMTP user name or password: none (null) for a relay that takes mail without logging in. */
const credential = z.string().min(1).max(512).nullable();

export const settingsSchema = z.strictObject({
  'sftp.enabled': flag,
  'sftp.port': port,
  'sftp.max-users': count(100_000, 'users'),
  'sftp.max-connections-per-user': count(1000, 'connections'),
  'ftp.plain': flag,
  'ftp.explicit-tls': flag,
  'ftp.implicit-tls': flag,
  'ftp.port': port,
  'ftps.implicit-port': port,
  'ftp.passive-ports': portRange,
  'ftp.passive-address': address,
  'ftp.require-tls-session-reuse': flag,
  'ftp.active-mode': flag,
  'ftp.max-users': count(100_000, 'users'),
  'ftp.max-connections-per-user': count(1000, 'connections'),
  'web.https': flag,
  'web.redirect-to-https': flag,
  'web.hsts': flag,
  'web.host-name': address,
  'http.port': port,
  'https.port': port,
  'uploads.keep-partial': flag,
  'lockout.user-failures': failures,
  'lockout.address-failures': failures,
  'lockout.window': seconds,
  'lockout.duration': seconds,
  'lockout.unknown-names': count(1_000_000, 'names'),
  'notices.smtp-host': address,
  'notices.smtp-port': port,
  'notices.smtp-security': z.enum(['starttls', 'tls', 'none'], 'starttls, tls or none'),
  'notices.smtp-user': credential,
  'notices.smtp-password': credential,
  'notices.mail-from': z.string().regex(/^[^\s@]+@[^\s@]+$/, 'an e-mail address'),
});
export type Settings = z.infer<typeof settingsSchema>;
export type SettingName = keyof Settings;
export const settingNames = Object.keys(settingsSchema.shape) as [SettingName, ...SettingName[]];
export const settingNameSchema = z.enum(settingNames);

/** What each setting does, as `tessera settings show` and the docs say it. */
export const settingMeanings: Record<SettingName, string> = {
  'sftp.enabled': 'the SFTP door accepts new sessions',
  'sftp.port': 'the SFTP port',
  'sftp.max-users': 'different users logged in over SFTP at once',
  'sftp.max-connections-per-user': 'SFTP connections one user may hold at once',
  'ftp.plain': 'FTP without TLS on ftp.port (off: secure-only)',
  'ftp.explicit-tls': 'FTPS with AUTH TLS on ftp.port',
  'ftp.implicit-tls': 'implicit FTPS on ftps.implicit-port',
  'ftp.port': 'the FTP and explicit FTPS port',
  'ftps.implicit-port': 'the implicit FTPS port',
  'ftp.passive-ports': 'FTP passive data ports, low-high',
  'ftp.passive-address': 'address told to FTP clients for data; none = the one they reached',
  'ftp.require-tls-session-reuse': 'FTPS data connections must reuse the control TLS session',
  'ftp.active-mode': 'PORT/EPRT taken, the server connecting back to the client’s own address only',
  'ftp.max-users': 'different users logged in over FTP at once',
  'ftp.max-connections-per-user': 'FTP control connections one user may hold at once',
  'web.https': 'the HTTPS web door (the file manager) listens on https.port',
  'web.redirect-to-https':
    'http.port answers 308 to https://<web.host-name>:<https.port>; off: it serves the same app',
  'web.hsts':
    'HTTPS replies carry Strict-Transport-Security (refused while the certificate is self-signed)',
  'web.host-name': 'host name the HTTP redirect points to; none = this machine’s host name',
  'http.port': 'the HTTP port: the redirect, or the app when the redirect is off',
  'https.port': 'the HTTPS port of the web door',
  'uploads.keep-partial': 'a cut upload leaves its partial file under the real name, to resume',
  'lockout.user-failures':
    'failed passwords for one user from one address that lock that user from that address',
  'lockout.address-failures': 'failed passwords from one address, any names, that lock it',
  'lockout.window': 'seconds within which failures count together',
  'lockout.duration': 'seconds a lock lasts (it stops passwords; keys still log in)',
  'lockout.unknown-names': 'names that are no account whose failures are kept (oldest forgotten)',
  'notices.smtp-host': 'the SMTP server e-mail notices go through; none = no e-mail',
  'notices.smtp-port': 'the SMTP port (587 STARTTLS, 465 TLS, 25 relay)',
  'notices.smtp-security': 'starttls (required), tls (from the first byte) or none',
  'notices.smtp-user': 'the SMTP login; none = send without logging in',
  'notices.smtp-password': 'the SMTP password (readable by every service that reads settings)',
  'notices.mail-from': 'the sender of e-mail notices',
};

export function parsePortRange(range: string): [number, number] {
  const [low, high] = range.split('-').map(Number);
  return [low ?? 0, high ?? 0];
}

/**
 * A value as the operator types it ("true", "2223", "50000-50100", "none") read as its setting's
 * type, then checked by the setting's own rule. Returns the zod result, so the caller words it.
 */
export function settingFromText(name: SettingName, text: string) {
  const schema = settingsSchema.shape[name];
  const type = schema.def.type;
  const words: Record<string, boolean> = { true: true, on: true, false: false, off: false };
  const raw =
    type === 'boolean'
      ? (words[text.toLowerCase()] ?? text)
      : type === 'number' && /^-?\d+$/.test(text)
        ? Number(text)
        : type === 'nullable' && (text === '' || text === 'none')
          ? null
          : text;
  return (schema as z.ZodType<Settings[SettingName]>).safeParse(raw);
}

/** How a value is shown to the operator: what `settingFromText` reads back. */
export function settingText(value: Settings[SettingName]): string {
  return value === null ? 'none' : String(value);
}

/** Why a whole set of settings cannot stand, naming the settings involved. */
export interface SettingsConflict {
  settings: SettingName[];
  message: string;
}

/** Every door's port, on or off: a door switched on later must not find its port taken. */
const doorPorts = [
  'sftp.port',
  'ftp.port',
  'ftps.implicit-port',
  'http.port',
  'https.port',
] as const;
/** The switches that each open a door for files; at least one must stay on. */
const doorSwitches = [
  'sftp.enabled',
  'ftp.plain',
  'ftp.explicit-tls',
  'ftp.implicit-tls',
  'web.https',
] as const;

/** The rules between settings: ports apart, passive range clear of them, some door left open. */
export function settingsConflict(s: Settings): SettingsConflict | null {
  const seen = new Map<number, SettingName>();
  for (const name of doorPorts) {
    const other = seen.get(s[name]);
    if (other) {
      return {
        settings: [other, name],
        message: `${other} and ${name} would both use port ${s[name]}; two doors cannot share one port`,
      };
    }
    seen.set(s[name], name);
  }
  const [low, high] = parsePortRange(s['ftp.passive-ports']);
  const inside = doorPorts.find((name) => s[name] >= low && s[name] <= high);
  if (inside) {
    return {
      settings: ['ftp.passive-ports', inside],
      message: `ftp.passive-ports ${s['ftp.passive-ports']} would include ${inside} ${s[inside]}; passive data ports must stay clear of the doors' ports`,
    };
  }
  if (doorSwitches.every((name) => !s[name])) {
    return {
      settings: [...doorSwitches],
      message: `${doorSwitches.join(', ')} would all be false: no door would be left open; keep at least one on`,
    };
  }
  return null;
}

export const settingsGet = defineRequest(
  'settings.get',
  z.object({}),
  z.object({ settings: settingsSchema }),
);

/** Changes some settings at once; refused whole when the result breaks a rule (`settingsConflict`). */
export const settingsUpdate = defineRequest(
  'settings.update',
  z.object({
    changes: settingsSchema
      .partial()
      .refine((c) => Object.keys(c).length > 0, 'at least one setting to change'),
    /** Who asked, for the log (`login@host` from the CLI); the NATS account is what allows it. */
    requestedBy: z.string().min(1).max(256).optional(),
  }),
  z.object({ settings: settingsSchema, changed: z.array(settingNameSchema) }),
);

/** Announced by user-auth after a change is stored: the whole set, so a door needs no second ask. */
export const settingsChanged = defineEvent(
  'settings.changed',
  z.object({ settings: settingsSchema, changed: z.array(settingNameSchema), at: timestampSchema }),
);
