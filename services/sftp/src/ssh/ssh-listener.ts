import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, type Algorithms, type ClientInfo, type Connection, type ParsedKey } from 'ssh2';
import type { Logger } from '@tessera/config';
import { plainAddress, type Claim, type Opening } from '@tessera/door';

export type ClientHandler = (client: Connection, info: ClientInfo) => void;
/** Takes a place for a new connection from `address` under the door's limits, or says why not. */
export type AdmitConnection = (address: string) => Claim;

/**
 * The listening sockets, and the ssh2 server that takes each new connection. ssh2 fixes a
 * server's host keys when it is built, so new host keys mean a new ssh2 server: connections
 * already open stay on the old one, new ones get the new keys, and the port never closes. A port
 * change opens the new socket before the old one closes (`open`, then the old `Opening.close`).
 */
export class SshListener {
  private readonly openings = new Set<NetServer>();
  private ssh: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly algorithms: Algorithms,
    private readonly onClient: ClientHandler,
    private readonly admit: AdmitConnection,
    private readonly logger: Logger,
  ) {}

  useHostKeys(hostKeys: ParsedKey[]): void {
    const server = new Server(
      {
        hostKeys: hostKeys.map((key) => ({ key })),
        algorithms: this.algorithms,
        ident: 'Tessera_SFTP',
      },
      this.onClient,
    );
    server.on('error', (err: Error) => this.logger.warn({ err }, 'ssh server error'));
    this.ssh = server;
  }

  open(port: number, host: string): Promise<Opening> {
    const server = createServer((socket) => this.accept(socket));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        server.on('error', (err: Error) => this.logger.warn({ err }, 'listening socket error'));
        this.openings.add(server);
        const address = server.address();
        resolve({
          port: typeof address === 'object' && address ? address.port : port,
          close: () => {
            // The port is free at once; close()'s callback would wait for the sessions it took.
            this.openings.delete(server);
            server.close();
          },
        });
      });
    });
  }

  /** Stops listening and cuts every connection (uploads in progress are discarded). */
  async close(): Promise<void> {
    const closed = [...this.openings].map(
      (server) => new Promise<void>((resolve) => server.close(() => resolve())),
    );
    this.openings.clear();
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(closed);
  }

  private accept(socket: Socket): void {
    if (!this.ssh) {
      socket.destroy();
      return;
    }
    const address = plainAddress(socket.remoteAddress ?? '');
    const place = this.admit(address);
    if (!place.granted) {
      // Before the SSH handshake there is no way to tell the client why: the log says it.
      this.logger.warn(
        { remoteAddress: address, reason: place.reason },
        'connection over the limit',
      );
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      place.release();
    });
    socket.setNoDelay(true);
    this.ssh.injectSocket(socket);
  }
}
