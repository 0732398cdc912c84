import net from 'node:net';

/**
 * A TCP proxy to NATS (or any port) that a test can cut and restore, so one process loses the bus
 * while the others keep it: cut, every connection through it drops and new ones are refused.
 */
export class CuttableProxy {
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  private readonly server = net.createServer((client) => {
    if (this.cut) return client.destroy();
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });

  constructor(
    readonly port: number,
    private readonly targetPort = 4222,
  ) {}

  /** `nats://` URL of the proxy, for the process that should lose the bus. */
  get natsUrl(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
  }

  /** Drops every connection through it and refuses new ones until `restore`. */
  cutOff(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.cutOff();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
