import { z } from 'zod';
import { parseEnvironment } from '@tessera/config';

/**
 * The web door's own fixed settings, read from the environment at start (same rules as
 * @tessera/config: a bad value stops the service naming the variable). The run-time ones
 * (web.https, web.redirect-to-https, web.hsts, web.host-name, http.port, https.port) come from
 * user-auth's settings, followed live.
 */
const seconds = (fallback: number) =>
  z.coerce
    .number('whole seconds')
    .int('whole seconds')
    .min(1, 'at least 1 second')
    .max(30 * 24 * 3600, 'at most 30 days')
    .default(fallback);

const settingsSchema = z.object({
  TESSERA_WEB_SESSION_IDLE_TIMEOUT: seconds(30 * 60),
  TESSERA_WEB_SESSION_MAX_AGE: seconds(12 * 3600),
  TESSERA_WEB_UPLOAD_EXPIRY: seconds(24 * 3600),
});

export interface WebSettings {
  /** A web session unused for this long ends. */
  sessionIdleSeconds: number;
  /** A web session ends this long after its login, used or not. */
  sessionMaxAgeSeconds: number;
  /** An unfinished resumable upload untouched for this long is swept away. */
  uploadExpirySeconds: number;
}

export function loadWebSettings(env: NodeJS.ProcessEnv = process.env): WebSettings {
  const s = parseEnvironment(settingsSchema, env);
  return {
    sessionIdleSeconds: s.TESSERA_WEB_SESSION_IDLE_TIMEOUT,
    sessionMaxAgeSeconds: s.TESSERA_WEB_SESSION_MAX_AGE,
    uploadExpirySeconds: s.TESSERA_WEB_UPLOAD_EXPIRY,
  };
}
