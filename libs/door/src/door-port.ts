import type { Logger } from '@tessera/config';

/** One open port of a door; `close()` stops new connections, sessions carry on. */
export interface Opening {
  port: number;
  close(): void;
}

/** What opens a door's listening sockets (the SSH listener, an FTP listener). */
export interface PortOpener {
  open(port: number, host: string): Promise<Opening>;
}

/**
 * Whether and where one entry of a door listens (the SFTP port, the FTP port, the implicit FTPS
 * port), following its live settings. A move opens the
 * new port before closing the old one, so a port that cannot be opened leaves the entry where it
 * was; sessions already open carry on either way. Changes apply one at a time, in order.
 */
export class DoorPort {
  private opening: Opening | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly name: string,
    private readonly listener: PortOpener,
    private readonly host: string,
    private readonly logger: Logger,
  ) {}

  /** The port listened on now, or null while the entry is off. */
  get listening(): number | null {
    return this.opening?.port ?? null;
  }

  /** Rejects when the port cannot be opened (the caller decides: stop at start, log later). */
  apply(enabled: boolean, port: number): Promise<void> {
    const run = this.queue.then(() => (enabled ? this.listenOn(port) : this.stop()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async listenOn(port: number): Promise<void> {
    const old = this.opening;
    if (old?.port === port) return;
    this.opening = await this.listener.open(port, this.host);
    old?.close();
    this.logger.info(
      { port, address: this.host, ...(old ? { from: old.port } : {}) },
      `${this.name} is listening`,
    );
  }

  private stop(): Promise<void> {
    if (this.opening) {
      this.opening.close();
      this.opening = null;
      this.logger.info(`${this.name} is off: new connections are refused`);
    }
    return Promise.resolve();
  }
}
