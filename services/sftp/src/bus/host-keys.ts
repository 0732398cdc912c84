import { followAnnouncement, type BusClient, type Following } from '@tessera/bus';
import type { Logger } from '@tessera/config';
import { askUntilReady } from '@tessera/door';
import { pkiHostKeysChanged, pkiHostKeysMaterial, type ReplyOf } from '@tessera/contracts';

export type HostKeyMaterial = ReplyOf<typeof pkiHostKeysMaterial>['keys'][number];

/** The pki service could not give us host keys: the door cannot serve without them. */
export class HostKeysUnavailable extends Error {}

/**
 * Host keys come from the pki service, the only keeper of key material. We ask at start (waiting
 * a while: pki may start after us) and again whenever it announces `pki.hostkeys.changed`.
 */
export class PkiHostKeys {
  constructor(
    private readonly bus: BusClient,
    private readonly logger: Logger,
  ) {}

  async fetch(): Promise<HostKeyMaterial[]> {
    const reply = await this.bus.request(pkiHostKeysMaterial, {});
    if (!reply.ok)
      throw new HostKeysUnavailable(`the pki service gave no host keys: ${reply.error.message}`);
    return reply.value.keys;
  }

  /** Asks until pki answers or `waitMs` has passed, so start order does not matter. */
  fetchWhenReady(waitMs: number): Promise<HostKeyMaterial[]> {
    return askUntilReady(
      () => this.fetch(),
      waitMs,
      this.logger,
      'waiting for the pki service for host keys',
    );
  }

  /**
   * Calls `onChange` on every `pki.hostkeys.changed`, and after a reconnect (an announcement made
   * while the door was cut off is lost); a malformed announcement is logged and dropped.
   */
  watch(onChange: () => void): Following {
    return followAnnouncement(this.bus, pkiHostKeysChanged, this.logger, {
      onEvent: onChange,
      onReconnect: onChange,
    });
  }
}
