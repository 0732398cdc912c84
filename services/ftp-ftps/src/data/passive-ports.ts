import { createServer, type Server, type Socket } from 'node:net';
import { parsePortRange } from '@tessera/contracts';

/**
 * The door's own passive-port allocator over `ftp.passive-ports`. It never probes a port and then
 * listens (that races): it listens, and on EADDRINUSE moves on, so it covers the whole range once
 * before it gives up. Ports this process holds are skipped without a system call. Several replicas
 * (or other programs) may share one range: a port one of them holds is simply in use for the
 * others. Start points are spread so that consecutive PASVs do not all try the same low ports.
 */
export class PassivePorts {
  private readonly held = new Set<number>();
  private next = 0;

  constructor(private range: string) {}

  /** Applies a changed `ftp.passive-ports` to the next PASV; open listeners keep their port. */
  set ports(range: string) {
    this.range = range;
  }

  get ports(): string {
    return this.range;
  }

  /**
   * Listens on a free port of the range on `host`; `onConnection` gets every connection until
   * the returned server is closed (which gives the port back). Rejects when every port is taken.
   */
  async listen(host: string, onConnection: (socket: Socket) => void): Promise<Server> {
    const [low, high] = parsePortRange(this.range);
    const size = high - low + 1;
    const start = this.next++ % size;
    for (let i = 0; i < size; i++) {
      const port = low + ((start + i) % size);
      if (this.held.has(port)) continue;
      const server = await this.tryListen(port, host, onConnection);
      if (server) return server;
    }
    throw new PassivePortsExhausted(`every passive port in ${this.range} is in use`);
  }

  private tryListen(
    port: number,
    host: string,
    onConnection: (socket: Socket) => void,
  ): Promise<Server | null> {
    return new Promise((resolve, reject) => {
      const server = createServer({ pauseOnConnect: true }, onConnection);
      server.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(null);
        else reject(err);
      });
      server.listen({ port, host, exclusive: true, backlog: 4 }, () => {
        this.held.add(port);
        server.once('close', () => this.held.delete(port));
        resolve(server);
      });
    });
  }
}

export class PassivePortsExhausted extends Error {}
