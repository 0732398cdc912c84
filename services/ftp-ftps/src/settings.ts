import { z } from 'zod';
import { parseEnvironment } from '@tessera/config';

/**
 * The FTP door's own fixed settings, read from the environment at start (same rules as
 * @tessera/config: a bad value stops the service naming the variable). The run-time ones
 * (ftp.plain, ftp.explicit-tls, ftp.implicit-tls, the ports, the passive range and address,
 * ftp.require-tls-session-reuse, ftp.max-users, ftp.max-connections-per-user) come from
 * user-auth's settings instead, followed through LiveSettingsFeed in libs/door.
 */
const count = (fallback: number, max: number) =>
  z.coerce
    .number('a whole number')
    .int('a whole number')
    .min(1, 'at least 1')
    .max(max, `at most ${max}`)
    .default(fallback);
const seconds = (fallback: number) =>
  z.coerce
    .number('whole seconds')
    .int('whole seconds')
    .min(0, '0 (off) or more seconds')
    .default(fallback);

const settingsSchema = z.object({
  TESSERA_FTP_MAX_CONNECTIONS: count(1000, 100_000),
  TESSERA_FTP_MAX_CONNECTIONS_PER_ADDRESS: count(64, 100_000),
  TESSERA_FTP_IDLE_TIMEOUT: seconds(900),
  TESSERA_FTP_LOGIN_GRACE_TIME: seconds(60),
  TESSERA_FTP_DATA_TIMEOUT: seconds(60),
});

export interface FtpSettings {
  /** Control connections at once, logged in or not. */
  maxConnections: number;
  /** Control connections at once from one address, logged in or not. */
  maxConnectionsPerAddress: number;
  /** A logged-in connection with no command (and no transfer) for this long is closed; 0 = never. */
  idleTimeoutSeconds: number;
  /** A connection that has not logged in after this long is closed; 0 = never. */
  loginGraceSeconds: number;
  /** How long a data connection may take to arrive, finish its handshake, or stall mid-transfer. */
  dataTimeoutSeconds: number;
}

export function loadFtpSettings(env: NodeJS.ProcessEnv = process.env): FtpSettings {
  const s = parseEnvironment(settingsSchema, env);
  return {
    maxConnections: s.TESSERA_FTP_MAX_CONNECTIONS,
    maxConnectionsPerAddress: s.TESSERA_FTP_MAX_CONNECTIONS_PER_ADDRESS,
    idleTimeoutSeconds: s.TESSERA_FTP_IDLE_TIMEOUT,
    loginGraceSeconds: s.TESSERA_FTP_LOGIN_GRACE_TIME,
    dataTimeoutSeconds: s.TESSERA_FTP_DATA_TIMEOUT,
  };
}
