/**
 * Replies leave in the order their requests arrived. The draft allows any order, but clients
 * that pipeline writes count on it: paramiko drops a WRITE status that overtakes an earlier one
 * and then waits for it forever. Requests still run side by side (RequestOrder); only their
 * replies wait here for the ones before them. OpenSSH's `reget` counts on it too: its client
 * writes read replies as they come, so replies out of order left holes in a cut download.
 *
 * Reads of one file run one after another (handlers/file-io.ts), so their 255 KiB replies are
 * ready in order and rarely wait here: holding them back instead cost a fifth of the download
 * speed.
 */
export class ReplySequence {
  /** The number the next request gets. */
  private next = 0;
  /** The number whose reply goes out next. */
  private due = 0;
  private readonly waiting = new Map<number, Buffer>();

  constructor(private readonly send: (packet: Buffer) => void) {}

  /** Takes the next place in line, when a request arrives. */
  reserve(): number {
    return this.next++;
  }

  /** Hands over a request's reply; sends it and every reply it held up. Returns how many went. */
  deliver(place: number, packet: Buffer): number {
    this.waiting.set(place, packet);
    let sent = 0;
    for (let reply = this.waiting.get(this.due); reply; reply = this.waiting.get(this.due)) {
      this.waiting.delete(this.due++);
      this.send(reply);
      sent++;
    }
    return sent;
  }
}
