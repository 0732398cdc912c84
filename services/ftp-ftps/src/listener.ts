import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@tessera/config';
import { plainAddress, type Opening } from '@tessera/door';
import type { DoorServices, Entry } from './control/door-services';
import { FtpConnection } from './control/ftp-connection';

/**
 * Accepts control connections for one entry (the FTP port, or the implicit FTPS port): each
 * must first get a place under the connection limits, then becomes an FtpConnection.
 */
export class FtpListener {
  private readonly servers = new Set<Server>();
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly entry: Entry,
    private readonly door: DoorServices,
    private readonly logger: Logger,
  ) {}

  open(port: number, host: string): Promise<Opening> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen({ port, host }, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.logger.error({ err, port }, 'listener error'));
        this.servers.add(server);
        resolve({
          port,
          close: () => {
            this.servers.delete(server);
            server.close();
          },
        });
      });
    });
  }

  /** Closes every port and every connection (the door is stopping). */
  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(
      [...this.servers].map((s) => new Promise((resolve) => s.close(() => resolve(null)))),
    );
    this.servers.clear();
  }

  private accept(socket: Socket): void {
    const address = plainAddress(socket.remoteAddress ?? '');
    socket.on('error', () => undefined); // each connection logs its own; never crash on one
    const claim = this.door.limits.connect(address);
    if (!claim.granted) {
      this.logger.warn({ remoteAddress: address, reason: claim.reason }, 'connection refused');
      // On the implicit port the client expects TLS first: no clear-text reply it could read.
      if (this.entry === 'ftp-port') socket.end(`421 ${claim.reason}\r\n`);
      else socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    new FtpConnection(socket, address, this.entry, this.door, claim.release).start();
  }
}
