import { answerHealth, BusClient, type Following } from '@tessera/bus';
import { createLogger, type Logger, type TesseraConfig } from '@tessera/config';
import type { Settings } from '@tessera/contracts';
import {
  AccountWatch,
  answerLiveSessions,
  ConnectionLimits,
  DoorPort,
  plainAddress,
  openDoorEvents,
  LiveSessions,
  LiveSettingsFeed,
  Logins,
  type ConnectionLimitValues,
} from '@tessera/door';
import { PkiHostKeys, type HostKeyMaterial } from './bus/host-keys';
import { loadSftpSettings, type SftpSettings } from './settings';
import { offeredAlgorithms } from './ssh/algorithms';
import { hostKeysToOffer, offeredFingerprints } from './ssh/host-key-offer';
import { SshConnection, type DoorServices } from './ssh/ssh-connection';
import { SshListener } from './ssh/ssh-listener';

export interface SftpDoor {
  /** The port listened on now (`sftp.port`), or null while `sftp.enabled` is false. */
  readonly port: number | null;
  close(): Promise<void>;
}

export interface StartOptions {
  settings?: SftpSettings;
  /** How long to wait for the pki service's host keys, and then user-auth's settings, at start. */
  hostKeyWaitMs?: number;
}

/** Starts the SFTP door; used by main.ts and by the integration tests. */
export async function startSftp(
  config: TesseraConfig,
  logger: Logger = createLogger('sftp', config.TESSERA_LOG_LEVEL),
  { settings = loadSftpSettings(), hostKeyWaitMs = 60_000 }: StartOptions = {},
): Promise<SftpDoor> {
  const bus = await BusClient.connect(config, 'sftp');
  try {
    return await serve(bus, { config, settings, logger }, hostKeyWaitMs);
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/** Host keys first (nothing is made or opened without them), then settings, events, the port. */
async function serve(
  bus: BusClient,
  { config, settings, logger }: Pick<DoorServices, 'config' | 'settings' | 'logger'>,
  waitMs: number,
): Promise<SftpDoor> {
  const hostKeys = new PkiHostKeys(bus, logger);
  const served: ServedHostKeys = { material: await hostKeys.fetchWhenReady(waitMs) };
  const feed = new LiveSettingsFeed(bus, logger);
  const initial = await feed.fetchWhenReady(waitMs);
  const limits = new ConnectionLimits('SFTP', limitsFrom(settings, initial));
  const door: DoorServices = {
    config,
    settings,
    logger,
    logins: new Logins(bus, 'sftp'),
    limits,
    notices: await openDoorEvents(bus, { spoolRoot: config.paths.spool, door: 'sftp', logger }),
    uploads: { keepPartial: initial['uploads.keep-partial'] },
    sessions: new LiveSessions('sftp', logger),
  };
  const accounts = new AccountWatch(bus, door.sessions, logger).start();
  const operator = answerLiveSessions(bus, door.sessions, logger);
  const listener = new SshListener(
    offeredAlgorithms(settings),
    (client, info) => new SshConnection(client, plainAddress(info.ip), door).start(),
    (address) => limits.connect(address),
    logger,
  );
  listener.useHostKeys(hostKeysToOffer(served.material, settings.ecdsaHostKey));
  const doorPort = new DoorPort('sftp', listener, config.TESSERA_BIND_ADDRESS, logger);
  const live = { doorPort, limits, settings, uploads: door.uploads };
  const follow = await applyLiveSettings(feed, initial, live, logger);
  const reload = () => void reloadHostKeys(hostKeys, served, listener, settings, logger);
  const watch = hostKeys.watch(reload);
  // Answered once the door is set up; `listening` says where it listens now (empty while off).
  const health = answerHealth(bus.connection, bus.prefix, 'sftp', () => ({
    listening:
      doorPort.listening === null
        ? []
        : [{ protocol: 'sftp', address: config.TESSERA_BIND_ADDRESS, port: doorPort.listening }],
    hostKeyFingerprints: offeredFingerprints(served.material, settings.ecdsaHostKey),
    connections: limits.counts,
    events: door.notices.spooled,
  }));
  return {
    get port() {
      return doorPort.listening;
    },
    close: async () => {
      health.unsubscribe();
      watch.stop();
      follow.stop();
      accounts.stop();
      for (const answers of operator) answers.unsubscribe();
      await listener.close();
      await door.notices.close();
      await bus.close();
    },
  };
}

/** What a live setting changes in a running door: where it listens, login limits, cut uploads. */
interface LiveParts {
  doorPort: DoorPort;
  limits: ConnectionLimits;
  settings: SftpSettings;
  uploads: { keepPartial: boolean };
}

/** The door's fixed connection limits (environment) with the live login limits (settings). */
function limitsFrom(settings: SftpSettings, live: Settings): ConnectionLimitValues {
  return {
    maxConnections: settings.maxConnections,
    maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
    maxUsers: live['sftp.max-users'],
    maxConnectionsPerUser: live['sftp.max-connections-per-user'],
  };
}

/**
 * Applies the settings now (a port that cannot be opened stops the start) and on every change
 * (where it is logged, and the door stays where it was).
 */
async function applyLiveSettings(
  feed: LiveSettingsFeed,
  initial: Settings,
  { doorPort, limits, settings, uploads }: LiveParts,
  logger: Logger,
): Promise<Following> {
  const apply = (live: Settings) => {
    limits.limits = limitsFrom(settings, live);
    uploads.keepPartial = live['uploads.keep-partial'];
    return doorPort.apply(live['sftp.enabled'], live['sftp.port']);
  };
  await apply(initial);
  return feed.follow(
    (live) =>
      void apply(live).catch((err: unknown) =>
        logger.error(
          { err, port: live['sftp.port'] },
          'settings changed but the port could not be opened; the door stays where it was',
        ),
      ),
  );
}

/** The host keys the door serves now: replaced whole when pki announces new ones. */
interface ServedHostKeys {
  material: HostKeyMaterial[];
}

/** New connections get the new keys; a failed fetch keeps the old ones (and says so). */
async function reloadHostKeys(
  hostKeys: PkiHostKeys,
  served: ServedHostKeys,
  listener: SshListener,
  settings: SftpSettings,
  logger: Logger,
): Promise<void> {
  try {
    const material = await hostKeys.fetch();
    listener.useHostKeys(hostKeysToOffer(material, settings.ecdsaHostKey));
    served.material = material;
    logger.info('host keys changed; new connections use the new keys');
  } catch (err) {
    logger.error({ err }, 'host keys changed but could not be loaded; keeping the old ones');
  }
}
