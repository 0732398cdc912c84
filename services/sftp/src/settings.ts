import { z } from 'zod';
import { parseEnvironment } from '@tessera/config';

/**
 * The SFTP door's own fixed settings, read from the environment at start like the shared ones in
 * @tessera/config (same rules: a bad value stops the service naming the variable). The run-time
 * ones (sftp.enabled, sftp.port, sftp.max-users, sftp.max-connections-per-user) come from user-auth's settings instead
 * (`tessera settings`, followed through LiveSettingsFeed in libs/door).
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
const flag = z
  .enum(['true', 'false', '1', '0'], 'true or false')
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const settingsSchema = z.object({
  TESSERA_SFTP_MAX_CONNECTIONS: count(1000, 100_000),
  TESSERA_SFTP_MAX_CONNECTIONS_PER_ADDRESS: count(64, 100_000),
  TESSERA_SFTP_IDLE_TIMEOUT: seconds(900),
  TESSERA_SFTP_LOGIN_GRACE_TIME: seconds(60),
  TESSERA_SFTP_MAX_HANDLES: count(64, 4096),
  TESSERA_SFTP_NIST_KEX: flag,
  TESSERA_SFTP_ECDSA_HOST_KEY: flag,
  TESSERA_SFTP_STRICT_ALGORITHMS: flag,
});

export interface SftpSettings {
  /** Connections at once, logged in or not. */
  maxConnections: number;
  /** Connections at once from one address, logged in or not (rclone opens 12 by default). */
  maxConnectionsPerAddress: number;
  /** A logged-in connection with no SFTP request for this long is closed; 0 = never. */
  idleTimeoutSeconds: number;
  /** A connection that has not logged in after this long is closed; 0 = never. */
  loginGraceSeconds: number;
  /** Open files and folders per SFTP session (also told to clients in limits@openssh.com). */
  maxHandles: number;
  /** Offer ecdh-sha2-nistp256/384/521 key exchange (ssh-audit fails NIST curves). */
  nistKex: boolean;
  /** Offer the pki's ECDSA P-256 host key (ssh-audit fails NIST curves). */
  ecdsaHostKey: boolean;
  /** Offer encrypt-then-MAC MACs only: no ssh-audit warning, but libssh2 (curl, PHP) cannot connect. */
  strictAlgorithms: boolean;
}

export function loadSftpSettings(env: NodeJS.ProcessEnv = process.env): SftpSettings {
  const s = parseEnvironment(settingsSchema, env);
  return {
    maxConnections: s.TESSERA_SFTP_MAX_CONNECTIONS,
    maxConnectionsPerAddress: s.TESSERA_SFTP_MAX_CONNECTIONS_PER_ADDRESS,
    idleTimeoutSeconds: s.TESSERA_SFTP_IDLE_TIMEOUT,
    loginGraceSeconds: s.TESSERA_SFTP_LOGIN_GRACE_TIME,
    maxHandles: s.TESSERA_SFTP_MAX_HANDLES,
    nistKex: s.TESSERA_SFTP_NIST_KEX,
    ecdsaHostKey: s.TESSERA_SFTP_ECDSA_HOST_KEY,
    strictAlgorithms: s.TESSERA_SFTP_STRICT_ALGORITHMS,
  };
}
