/** What the service has done since it started, for `health.notices` (and `tessera status`). */
export class NoticeCounters {
  delivered = 0;
  failed = 0;
  retried = 0;
  queued = 0;
  consumerLag = 0;

  get snapshot() {
    const { delivered, failed, retried, queued, consumerLag } = this;
    return { delivered, failed, retried, queued, consumerLag };
  }
}
