import http from 'node:http';
import https from 'node:https';
import type { Logger } from '@tessera/config';
import type { Settings } from '@tessera/contracts';
import type { TlsIdentity } from '@tessera/tls';
import { redirects, redirectTarget } from './redirect';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Node cuts a request after `requestTimeout` (300 s) unless told otherwise when the server is
 * made: a long upload must not be cut, so it is off; slow-header clients are still cut by
 * `headersTimeout`, and idle keep-alive connections by `keepAliveTimeout`.
 */
const serverOptions = { requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 5_000 };

/** One listener that can move: a new server on the new port; the old one drains its requests. */
class Listener {
  private server: http.Server | null = null;
  private port: number | null = null;

  constructor(
    private readonly make: () => http.Server,
    private readonly forget: (server: http.Server) => void,
    private readonly bindAddress: string,
  ) {}

  get listening(): number | null {
    return this.port;
  }

  async apply(port: number | null): Promise<void> {
    if (port === this.port) return;
    if (port !== null) {
      const server = this.make();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, this.bindAddress, () => {
          server.off('error', reject);
          resolve();
        });
      }).catch((error: unknown) => {
        this.forget(server);
        throw error;
      });
      this.stopOld();
      this.server = server;
    } else {
      this.stopOld();
    }
    this.port = port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.stopOld();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  }

  private stopOld(): void {
    const old = this.server;
    this.server = null;
    if (!old) return;
    old.close(() => this.forget(old));
    old.closeIdleConnections();
  }
}

/**
 * The web door's two listeners, following the live settings: HTTPS on `https.port` (while
 * `web.https`) with pki's certificate, swapped live; HTTP on `http.port`, answering 308 to HTTPS
 * while `web.redirect-to-https`, else serving the same application.
 */
export class WebListeners {
  private settings: Settings;
  private readonly https: Listener;
  private readonly http: Listener;
  private readonly detach = new Map<http.Server, () => void>();

  constructor(
    app: Handler,
    identity: TlsIdentity,
    bindAddress: string,
    initial: Settings,
    private readonly logger: Logger,
  ) {
    this.settings = initial;
    const forget = (server: http.Server) => {
      this.detach.get(server)?.();
      this.detach.delete(server);
    };
    this.https = new Listener(
      () => {
        const server = https.createServer(
          { ...identity.secureContextOptions(), ...serverOptions },
          app,
        );
        this.detach.set(server, identity.attach(server));
        return server;
      },
      forget,
      bindAddress,
    );
    const plain: Handler = (req, res) => {
      if (!redirects(this.settings)) return app(req, res);
      res.writeHead(308, { Location: redirectTarget(this.settings, req.url), 'Content-Length': 0 });
      res.end();
    };
    this.http = new Listener(() => http.createServer(serverOptions, plain), forget, bindAddress);
  }

  get ports(): { https: number | null; http: number | null } {
    return { https: this.https.listening, http: this.http.listening };
  }

  /** Moves or switches the listeners; a port that cannot be opened rejects (the old one stays). */
  async apply(settings: Settings): Promise<void> {
    this.settings = settings;
    await this.https.apply(settings['web.https'] ? settings['https.port'] : null);
    await this.http.apply(settings['http.port']);
    this.logger.info({ ...this.ports, redirect: redirects(settings) }, 'web door listening');
  }

  async close(): Promise<void> {
    await Promise.all([this.https.close(), this.http.close()]);
  }
}
