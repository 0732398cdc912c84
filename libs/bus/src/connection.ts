import { readFileSync } from 'node:fs';
import { credsAuthenticator, type ConnectionOptions } from 'nats';
import type { TesseraConfig } from '@tessera/config';

/**
 * NATS connection settings from the shared configuration. The bus is not trusted: deployments
 * give every service its own account (user/password or a creds file) with subject permissions.
 */
export function natsConnectionOptions(cfg: TesseraConfig, name: string): ConnectionOptions {
  return {
    name,
    servers: cfg.NATS_URL.split(','),
    // With an account of its own, a service reads replies only under its own inbox prefix, which
    // the server's permissions can then confine it to (deploy/nats/nats.conf).
    ...(cfg.NATS_USER
      ? { user: cfg.NATS_USER, pass: cfg.NATS_PASSWORD, inboxPrefix: `_INBOX.${cfg.NATS_USER}` }
      : {}),
    ...(cfg.NATS_CREDS_FILE
      ? { authenticator: credsAuthenticator(readFileSync(cfg.NATS_CREDS_FILE)) }
      : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  };
}
