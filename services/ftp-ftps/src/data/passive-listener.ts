import type { Server, Socket } from 'node:net';
import type { Logger } from '@tessera/config';
import { plainAddress } from '@tessera/door';
import type { PassivePorts } from './passive-ports';

/**
 * One PASV/EPSV opening: a port of the passive range waiting for the data connection of one
 * control connection. Only a connection from the control connection's own address is taken
 * (anything else is closed, and only it: the victim's session carries on); the first one taken
 * closes the listener, so the port goes back to the range at once.
 */
export class PassiveListener {
  private socket: Socket | null = null;
  private waiting: ((socket: Socket | null) => void) | null = null;
  private closed = false;

  private constructor(
    private readonly clientAddress: string,
    private readonly log: Logger,
  ) {}

  private server!: Server;

  static async open(
    ports: PassivePorts,
    host: string,
    clientAddress: string,
    log: Logger,
  ): Promise<PassiveListener> {
    const listener = new PassiveListener(clientAddress, log);
    listener.server = await ports.listen(host, (socket) => listener.accept(socket));
    return listener;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The data connection, once it arrives; null when none came within `timeoutMs` or closed. */
  take(timeoutMs: number): Promise<Socket | null> {
    if (this.socket || this.closed) return Promise.resolve(this.handOver());
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(null), timeoutMs > 0 ? timeoutMs : 2 ** 31 - 1);
      timer.unref();
      this.waiting = (socket) => {
        clearTimeout(timer);
        resolve(socket);
      };
    });
  }

  /** Closes the listener, and a data connection that came but was never taken. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.server.close();
    this.socket?.destroy();
    this.socket = null;
    this.settle(null);
  }

  private accept(socket: Socket): void {
    const from = plainAddress(socket.remoteAddress ?? '');
    if (from !== this.clientAddress || this.socket || this.closed) {
      this.log.warn(
        { from, expected: this.clientAddress },
        'data connection from another address (or a second one) refused',
      );
      socket.destroy();
      return;
    }
    socket.on('error', (err) => this.log.debug({ err }, 'data connection error'));
    this.socket = socket;
    this.server.close(); // one data connection per PASV: the port goes back to the range
    if (this.waiting) this.settle(this.handOver());
  }

  private handOver(): Socket | null {
    const socket = this.socket;
    this.socket = null;
    this.closed = true;
    this.server.close();
    return socket;
  }

  private settle(socket: Socket | null): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.(socket);
  }
}
