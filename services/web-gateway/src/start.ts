import path from 'node:path';
import { answerHealth, BusClient, type Following } from '@tessera/bus';
import { createLogger, type Logger, type TesseraConfig } from '@tessera/config';
import type { Settings } from '@tessera/contracts';
import { LiveSettingsFeed, Logins, openDoorEvents } from '@tessera/door';
import { TlsIdentity } from '@tessera/tls';
import { WebListeners } from './http/listeners';
import { hstsState, type HstsState } from './http/security-headers';
import { createWebApp, defaultPageDir } from './http/web-app';
import { loadWebSettings, type WebSettings } from './settings';
import { FileSessions } from './sessions/file-sessions';
import { WebSessions } from './sessions/web-sessions';
import { followAccountChanges } from './sessions/account-changes';
import { answerWebLiveSessions } from './sessions/live-sessions-answers';
import { StagedUploadStore } from './uploads/staged-store';
import { tusUploads } from './uploads/tus-uploads';
import { redirects } from './http/redirect';

export interface WebGateway {
  readonly ports: { https: number | null; http: number | null };
  readonly sessions: WebSessions;
  readonly stagingRoot: string;
  close(): Promise<void>;
}

export interface StartOptions {
  settings?: WebSettings;
  /** How long to wait for pki's certificate and user-auth's settings at start. */
  waitMs?: number;
  pageDir?: string;
}

/** Starts the web door; used by main.ts and by the integration tests. */
export async function startWebGateway(
  config: TesseraConfig,
  logger: Logger = createLogger('web-gateway', config.TESSERA_LOG_LEVEL),
  { settings = loadWebSettings(), waitMs = 60_000, pageDir = defaultPageDir() }: StartOptions = {},
): Promise<WebGateway> {
  const bus = await BusClient.connect(config, 'web-gateway');
  try {
    return await serve(bus, config, logger, { settings, waitMs, pageDir });
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/** The certificate first (HTTPS needs it), then settings, sessions, uploads, the listeners. */
async function serve(
  bus: BusClient,
  config: TesseraConfig,
  logger: Logger,
  { settings, waitMs, pageDir }: Required<StartOptions>,
): Promise<WebGateway> {
  const identity = await TlsIdentity.start(bus, logger, { startTimeoutMs: waitMs });
  const feed = new LiveSettingsFeed(bus, logger);
  let live = await feed.fetchWhenReady(waitMs);
  const notices = await openDoorEvents(bus, {
    spoolRoot: config.paths.spool,
    door: 'web-gateway',
    logger,
  });
  const sessions = await WebSessions.open(bus.connection, bus.prefix, {
    idleSeconds: settings.sessionIdleSeconds,
    maxAgeSeconds: settings.sessionMaxAgeSeconds,
  });
  const stagingRoot = path.join(config.paths.data, 'staging', 'web');
  const store = await StagedUploadStore.open(stagingRoot, settings.uploadExpirySeconds * 1000);
  const fileSessions = new FileSessions(config, notices, stagingRoot);
  const hsts = { state: hstsState(false, identity.info().certificatePem) as HstsState };
  const app = await createWebApp(
    {
      sessions,
      fileSessions,
      logins: { https: new Logins(bus, 'https'), http: new Logins(bus, 'http') },
      notices,
      logger,
    },
    {
      tus: tusUploads(store, config.TESSERA_MAX_FILE_SIZE, () => originOf(live), logger),
      hstsState: () => hsts.state,
      pageDir,
    },
  );
  const listeners = new WebListeners(
    app.handler,
    identity,
    config.TESSERA_BIND_ADDRESS,
    live,
    logger,
  );
  const decideHsts = () => {
    hsts.state = hstsState(live['web.hsts'], identity.info().certificatePem);
    if (hsts.state.refusal) logger.warn(hsts.state.refusal);
  };
  const apply = async (next: Settings) => {
    live = next;
    decideHsts();
    await listeners.apply(next);
  };
  await apply(live);
  const follow = followSettings(feed, apply, logger);
  const accounts = followAccountChanges(bus, sessions, logger);
  const operator = answerWebLiveSessions(bus, sessions, logger);
  const unwatchCertificate = identity.onChange(decideHsts);
  const sweep = sweepExpired(store, logger);
  const health = answerHealth(bus.connection, bus.prefix, 'web-gateway', () => ({
    listening: [
      ...(listeners.ports.https === null
        ? []
        : [
            {
              protocol: 'https',
              address: config.TESSERA_BIND_ADDRESS,
              port: listeners.ports.https,
            },
          ]),
      ...(listeners.ports.http === null
        ? []
        : [
            {
              protocol: redirects(live) ? 'http-redirect' : 'http',
              address: config.TESSERA_BIND_ADDRESS,
              port: listeners.ports.http,
            },
          ]),
    ],
  }));
  return {
    get ports() {
      return listeners.ports;
    },
    sessions,
    stagingRoot,
    close: async () => {
      health.unsubscribe();
      clearInterval(sweep);
      unwatchCertificate();
      follow.stop();
      accounts.stop();
      for (const subscription of operator) subscription.unsubscribe();
      await listeners.close();
      await app.close();
      await identity.close();
      await notices.close();
      await bus.close();
    },
  };
}

/** The origin the page is served from over HTTPS: the only one tus answers CORS for. */
function originOf(live: Settings): string {
  const host = live['web.host-name'] ?? 'localhost';
  return `https://${host}${live['https.port'] === 443 ? '' : `:${live['https.port']}`}`;
}

/** A port that cannot be opened is logged; the door stays where it was. */
function followSettings(
  feed: LiveSettingsFeed,
  apply: (settings: Settings) => Promise<void>,
  logger: Logger,
): Following {
  return feed.follow(
    (live) =>
      void apply(live).catch((err: unknown) =>
        logger.error(
          { err, http: live['http.port'], https: live['https.port'] },
          'settings changed but a port could not be opened; the door stays where it was',
        ),
      ),
  );
}

/** Abandoned resumable uploads are removed at start and then every ten minutes. */
function sweepExpired(store: StagedUploadStore, logger: Logger): NodeJS.Timeout {
  const sweep = () =>
    void store
      .deleteExpired()
      .then((removed) => removed && logger.info({ removed }, 'expired resumable uploads removed'))
      .catch((err: unknown) => logger.error({ err }, 'the expiry sweep of uploads failed'));
  sweep();
  return setInterval(sweep, 10 * 60_000).unref();
}
