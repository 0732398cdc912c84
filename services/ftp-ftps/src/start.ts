import { answerHealth, BusClient, type Following } from '@tessera/bus';
import { createLogger, type Logger, type TesseraConfig } from '@tessera/config';
import type { ListeningPort, Settings } from '@tessera/contracts';
import {
  AccountWatch,
  answerLiveSessions,
  ConnectionLimits,
  DoorPort,
  LiveSessions,
  openDoorEvents,
  LiveSettingsFeed,
  Logins,
  type ConnectionLimitValues,
} from '@tessera/door';
import { TlsIdentity } from '@tessera/tls';
import type { DoorServices } from './control/door-services';
import { PassivePorts } from './data/passive-ports';
import { FtpListener } from './listener';
import { loadFtpSettings, type FtpSettings } from './settings';
import { SessionCache } from './tls/session-cache';

export interface FtpDoor {
  /** The FTP port listened on now (`ftp.port`), or null while plain and explicit FTPS are off. */
  readonly port: number | null;
  /** The implicit FTPS port listened on now, or null while `ftp.implicit-tls` is off. */
  readonly implicitPort: number | null;
  /** The live settings the door applies now. */
  readonly live: Settings;
  close(): Promise<void>;
}

export interface StartOptions {
  settings?: FtpSettings;
  /** How long to wait for the pki service's certificate, and then user-auth's settings. */
  waitMs?: number;
}

/** Starts the FTP door; used by main.ts and by the integration tests. */
export async function startFtp(
  config: TesseraConfig,
  logger: Logger = createLogger('ftp-ftps', config.TESSERA_LOG_LEVEL),
  { settings = loadFtpSettings(), waitMs = 60_000 }: StartOptions = {},
): Promise<FtpDoor> {
  const bus = await BusClient.connect(config, 'ftp-ftps');
  try {
    return await serve(bus, { config, settings, logger }, waitMs);
  } catch (error) {
    await bus.close();
    throw error;
  }
}

/** The certificate first (FTPS cannot be offered without it), then settings, events, the ports. */
async function serve(
  bus: BusClient,
  { config, settings, logger }: Pick<DoorServices, 'config' | 'settings' | 'logger'>,
  waitMs: number,
): Promise<FtpDoor> {
  const identity = await TlsIdentity.start(bus, logger, { startTimeoutMs: waitMs });
  const feed = new LiveSettingsFeed(bus, logger);
  let live = await feed.fetchWhenReady(waitMs);
  const limits = new ConnectionLimits('FTP', limitsFrom(settings, live));
  const door: DoorServices = {
    config,
    settings,
    logger,
    logins: { ftp: new Logins(bus, 'ftp'), ftps: new Logins(bus, 'ftps') },
    limits,
    notices: await openDoorEvents(bus, { spoolRoot: config.paths.spool, door: 'ftp-ftps', logger }),
    tls: { context: () => identity.secureContext(), cache: new SessionCache() },
    passivePorts: new PassivePorts(live['ftp.passive-ports']),
    live: () => live,
    sessions: new LiveSessions('ftp-ftps', logger),
  };
  const accounts = new AccountWatch(bus, door.sessions, logger).start();
  const operator = answerLiveSessions(bus, door.sessions, logger);
  const host = config.TESSERA_BIND_ADDRESS;
  const ftpListener = new FtpListener('ftp-port', door, logger);
  const implicitListener = new FtpListener('implicit', door, logger);
  const ports = {
    ftp: new DoorPort('ftp', ftpListener, host, logger),
    implicit: new DoorPort('implicit ftps', implicitListener, host, logger),
  };
  const apply = async (next: Settings) => {
    live = next;
    limits.limits = limitsFrom(settings, next);
    door.passivePorts.ports = next['ftp.passive-ports'];
    await ports.ftp.apply(next['ftp.plain'] || next['ftp.explicit-tls'], next['ftp.port']);
    await ports.implicit.apply(next['ftp.implicit-tls'], next['ftps.implicit-port']);
  };
  await apply(live);
  const follow = followSettings(feed, apply, logger);
  const health = answerHealth(bus.connection, bus.prefix, 'ftp-ftps', () => ({
    listening: listening(ports, live, host),
    connections: limits.counts,
  }));
  return {
    get port() {
      return ports.ftp.listening;
    },
    get implicitPort() {
      return ports.implicit.listening;
    },
    get live() {
      return live;
    },
    close: async () => {
      health.unsubscribe();
      follow.stop();
      accounts.stop();
      for (const answers of operator) answers.unsubscribe();
      await identity.close();
      await Promise.all([ftpListener.close(), implicitListener.close()]);
      await bus.close();
    },
  };
}

/** What health and `npm start`'s ready line show: each protocol where it is offered now. */
function listening(
  ports: { ftp: DoorPort; implicit: DoorPort },
  live: Settings,
  address: string,
): ListeningPort[] {
  const out: ListeningPort[] = [];
  const ftp = ports.ftp.listening;
  if (ftp !== null) {
    if (live['ftp.plain']) out.push({ protocol: 'ftp', address, port: ftp });
    if (live['ftp.explicit-tls']) out.push({ protocol: 'ftps (AUTH TLS)', address, port: ftp });
  }
  const implicit = ports.implicit.listening;
  if (implicit !== null) out.push({ protocol: 'ftps (implicit)', address, port: implicit });
  return out;
}

/** The door's fixed connection limits (environment) with the live login limits (settings). */
function limitsFrom(settings: FtpSettings, live: Settings): ConnectionLimitValues {
  return {
    maxConnections: settings.maxConnections,
    maxConnectionsPerAddress: settings.maxConnectionsPerAddress,
    maxUsers: live['ftp.max-users'],
    maxConnectionsPerUser: live['ftp.max-connections-per-user'],
  };
}

/** Every change is applied; a port that cannot be opened is logged and that entry stays put. */
function followSettings(
  feed: LiveSettingsFeed,
  apply: (live: Settings) => Promise<void>,
  logger: Logger,
): Following {
  return feed.follow(
    (live) =>
      void apply(live).catch((err: unknown) =>
        logger.error(
          { err, port: live['ftp.port'], implicitPort: live['ftps.implicit-port'] },
          'settings changed but a port could not be opened; that entry stays where it was',
        ),
      ),
  );
}
