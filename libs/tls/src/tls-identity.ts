import { randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext, type Server, type TlsOptions } from 'node:tls';
import { followAnnouncement, type BusClient, type Following } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { pkiCertificateActivated, pkiCertificateMaterial } from '@tessera/contracts';
import { secureContextOptionsFor, type TlsMaterial } from './server-options';

export interface TlsIdentityOptions {
  /** How long `start` waits for the pki service to hand over the identity (default 30 s). */
  startTimeoutMs?: number;
  /** Pause between attempts while waiting (default 1 s). */
  retryIntervalMs?: number;
}

/** Public facts of the identity in use: never the key. */
export interface TlsIdentityInfo {
  fingerprintSha256: string;
  activatedAt: string;
  /** The leaf certificate, PEM (public: every client receives it), e.g. to see if it is self-signed. */
  certificatePem: string;
}

/**
 * The TLS identity a door presents, kept current. `start` asks the pki service for the active
 * certificate, chain and key (`pki.certificate.material`); when `pki.certificate.activated` arrives
 * (or the bus reconnects, in case an announcement was missed) it asks again and swaps the context,
 * so NEW connections get the new certificate without a restart. Connections already open keep the
 * certificate they began with.
 *
 * - HTTPS / implicit FTPS (a `tls.Server`): create the server with `secureContextOptions()`, then
 *   `attach(server)`: every swap calls `server.setSecureContext(...)`, which replaces the server's
 *   default context, so clients with and without SNI both get the new certificate.
 * - Explicit FTPS (AUTH TLS upgrades a plain socket): pass `secureContext()` to
 *   `new tls.TLSSocket(socket, { isServer: true, secureContext })` for each upgrade; it is always
 *   the current one.
 *
 * The private key lives only inside the secure context and the options handed to servers; this
 * class never logs it.
 */
export class TlsIdentity {
  private context!: SecureContext;
  private options!: TlsOptions;
  private material!: TlsMaterial;
  private readonly servers = new Set<Server>();
  private readonly listeners = new Set<(info: TlsIdentityInfo) => void>();
  private readonly ticketKeys = randomBytes(48);
  private following?: Following;
  /** An announcement came before the first identity was installed: fetch again after it. */
  private missedAnnouncement = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly bus: BusClient,
    private readonly logger: Logger,
  ) {}

  /** Fetches the active identity (waiting for the pki service if need be) and follows changes. */
  static async start(
    bus: BusClient,
    logger: Logger,
    options: TlsIdentityOptions = {},
  ): Promise<TlsIdentity> {
    const identity = new TlsIdentity(bus, logger);
    identity.follow();
    try {
      identity.install(await identity.fetchAtStart(options));
      if (identity.missedAnnouncement) await identity.refresh();
    } catch (err) {
      await identity.close();
      throw err;
    }
    return identity;
  }

  /** The current secure context (for sockets upgraded by hand, e.g. FTP's AUTH TLS). */
  secureContext(): SecureContext {
    return this.context;
  }

  /**
   * Options for `tls.createServer` / `https.createServer`: the current identity and hardening, and
   * an SNICallback that always answers with the current context. Call `attach(server)` as well so
   * clients that send no SNI (an IP address) get swapped certificates too.
   */
  secureContextOptions(): TlsOptions {
    return {
      ...this.options,
      SNICallback: (_servername, cb) => cb(null, this.context),
    };
  }

  /** Swaps this server's certificate whenever the identity changes. Returns a detach function. */
  attach(server: Server): () => void {
    this.servers.add(server);
    server.setSecureContext(this.options);
    return () => this.servers.delete(server);
  }

  /** Called after each swap with the new identity's public facts. Returns an unsubscribe function. */
  onChange(listener: (info: TlsIdentityInfo) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): TlsIdentityInfo {
    return {
      fingerprintSha256: this.material.fingerprintSha256,
      activatedAt: this.material.activatedAt,
      certificatePem: this.material.certificatePem,
    };
  }

  /** Asks the pki service again now; true when the identity changed. */
  refresh(): Promise<boolean> {
    const run = this.queue.then(async () => {
      if (this.closed) return false;
      const result = await this.bus.request(pkiCertificateMaterial, {});
      if (!result.ok) {
        this.logger.error(
          { code: result.error.code, reason: result.error.message },
          'could not fetch the new TLS identity: keeping the current one',
        );
        return false;
      }
      const m = result.value;
      if (
        m.fingerprintSha256 === this.material.fingerprintSha256 &&
        m.activatedAt === this.material.activatedAt
      ) {
        return false;
      }
      try {
        this.install(m);
      } catch (err) {
        this.logger.error(
          { reason: err instanceof Error ? err.message : String(err) },
          'the new TLS identity is unusable: keeping the current one',
        );
        return false;
      }
      return true;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stops following changes. Servers keep the context they have; the bus stays open. */
  async close(): Promise<void> {
    this.closed = true;
    this.following?.stop();
    this.servers.clear();
    this.listeners.clear();
    await this.queue;
  }

  private install(material: TlsMaterial): void {
    const options = secureContextOptionsFor(material, this.ticketKeys);
    const context = createSecureContext(options); // throws on a key that does not fit
    this.context = context;
    this.options = options;
    const first = !this.material;
    this.material = material;
    for (const server of this.servers) server.setSecureContext(options);
    const info = this.info();
    this.logger.info(
      { fingerprintSha256: info.fingerprintSha256, activatedAt: info.activatedAt },
      first ? 'serving the TLS identity from the pki service' : 'swapped to the new TLS identity',
    );
    if (!first) for (const l of this.listeners) l(info);
  }

  private async fetchAtStart(options: TlsIdentityOptions): Promise<TlsMaterial> {
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    let said = false;
    for (;;) {
      const result = await this.bus.request(pkiCertificateMaterial, {});
      if (result.ok) return result.value;
      const retry = result.error.code === 'unavailable' || result.error.code === 'not_found';
      if (!retry || Date.now() >= deadline) {
        throw new Error(`no TLS identity from the pki service: ${result.error.message}`);
      }
      if (!said) {
        // Expected while pki starts: said once, at info; only giving up is an error.
        this.logger.info({ reason: result.error.message }, 'waiting for the pki service');
        said = true;
      }
      await new Promise((r) => setTimeout(r, options.retryIntervalMs ?? 1000));
    }
  }

  private follow(): void {
    this.following = followAnnouncement(this.bus, pkiCertificateActivated, this.logger, {
      onEvent: (event) => {
        if (!this.material) {
          this.missedAnnouncement = true;
          return;
        }
        if (event.fingerprintSha256 !== this.material.fingerprintSha256) void this.refresh();
      },
      onReconnect: () => {
        if (!this.closed && this.material) void this.refresh();
      },
    });
  }
}
