import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { Server, type Algorithms, type ClientInfo, type Connection, type ParsedKey } from 'ssh2';
import type { Logger } from '@tessera/config';

export type ClientHandler = (client: Connection, info: ClientInfo) => void;

/**
 * The listening socket, and the ssh2 server that takes each new connection. ssh2 fixes a
 * server's host keys when it is built, so new host keys mean a new ssh2 server: connections
 * already open stay on the old one, new ones get the new keys, and the port never closes.
 */
export class SshListener {
  private readonly socketServer: NetServer;
  private ssh: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly algorithms: Algorithms,
    private readonly onClient: ClientHandler,
    private readonly logger: Logger,
  ) {
    this.socketServer = createServer((socket) => this.accept(socket));
  }

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

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.socketServer.once('error', reject);
      this.socketServer.listen(port, host, () => {
        this.socketServer.off('error', reject);
        const address = this.socketServer.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops listening and cuts every connection (uploads in progress are discarded). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.socketServer.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    if (!this.ssh) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    this.ssh.injectSocket(socket);
  }
}
