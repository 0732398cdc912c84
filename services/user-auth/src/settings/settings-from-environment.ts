import { ConfigError, type TesseraConfig } from '@tessera/config';
import { settingsSchema, type Settings } from '@tessera/contracts';

/**
 * The first values of the settings table: the environment where a variable exists (validated at
 * start by libs/config), otherwise the default. Used only for settings with no row yet.
 */
export function settingsFromEnvironment(config: TesseraConfig): Settings {
  const seeds: Settings = {
    'sftp.enabled': true,
    'sftp.port': config.TESSERA_SFTP_PORT,
    'sftp.max-users': config.TESSERA_SFTP_MAX_USERS,
    'sftp.max-connections-per-user': config.TESSERA_SFTP_MAX_CONNECTIONS_PER_USER,
    // Secure by default: FTP only with TLS, as explicit FTPS on the FTP port.
    'ftp.plain': false,
    'ftp.explicit-tls': true,
    'ftp.implicit-tls': false,
    'ftp.port': config.TESSERA_FTP_PORT,
    'ftps.implicit-port': config.TESSERA_FTPS_IMPLICIT_PORT,
    'ftp.passive-ports': config.TESSERA_PASV_RANGE,
    'ftp.passive-address': config.TESSERA_PASV_ADDRESS ?? null,
    'ftp.require-tls-session-reuse': true,
    // Off: active mode makes the server connect out, and most NATs and firewalls break it.
    'ftp.active-mode': false,
    'ftp.max-users': 100,
    // lftp's mirror opens a few connections at once; FileZilla up to 10.
    'ftp.max-connections-per-user': 32,
    'web.https': true,
    'web.redirect-to-https': true,
    // Off until an operator turns it on: browsers remember HSTS, and a self-signed certificate
    // would then lock them out of the site.
    'web.hsts': false,
    'web.host-name': config.TESSERA_WEB_HOST_NAME ?? null,
    'http.port': config.TESSERA_HTTP_PORT,
    'https.port': config.TESSERA_HTTPS_PORT,
    'uploads.keep-partial': config.TESSERA_UPLOADS_KEEP_PARTIAL,
    'lockout.user-failures': config.lockout.userFailures,
    'lockout.address-failures': config.lockout.addressFailures,
    'lockout.window': config.lockout.windowSeconds,
    'lockout.duration': config.lockout.lockSeconds,
    'lockout.unknown-names': config.lockout.unknownNames,
    // No e-mail until an operator names a mail server.
    'notices.smtp-host': null,
    'notices.smtp-port': 587,
    'notices.smtp-security': 'starttls',
    'notices.smtp-user': null,
    'notices.smtp-password': null,
    'notices.mail-from': 'tessera@localhost',
  };
  const checked = settingsSchema.safeParse(seeds);
  if (!checked.success) {
    const lines = checked.error.issues.map((i) => `  ${i.path.join('.')}: expected ${i.message}`);
    throw new ConfigError(`Invalid configuration (seeding settings):\n${lines.join('\n')}`);
  }
  return checked.data;
}
