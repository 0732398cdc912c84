/**
 * The order requests run in. The draft lets a server answer in any order, but clients expect a
 * request to see the effect of those before it (MKDIR then OPEN inside it, WRITEs then CLOSE).
 * So every request waits for all earlier ones, except positional READ/WRITE on open handles,
 * which run side by side (they wait only for the last ordinary request before them): that is
 * where the speed of a transfer comes from.
 */
export class RequestOrder {
  /** `onError` hears what a task threw; the order itself goes on regardless. */
  constructor(private readonly onError: (error: unknown) => void = () => undefined) {}

  /** Settles when the last ordinary request (and everything before it) has finished. */
  private barrier: Promise<void> = Promise.resolve();
  /** Concurrent requests started since that ordinary request. */
  private readonly running = new Set<Promise<void>>();

  run(concurrent: boolean, work: () => Promise<void>): void {
    // A failed task must not stall the rest, nor vanish unseen; a failing onError neither.
    const task = () =>
      work().catch((error: unknown) => {
        try {
          this.onError(error);
        } catch {
          // nothing more can be done with it
        }
      });
    if (concurrent) {
      const started = this.barrier.then(task);
      this.running.add(started);
      void started.finally(() => this.running.delete(started));
      return;
    }
    const before = Promise.all([this.barrier, ...this.running]);
    this.running.clear();
    this.barrier = before.then(task).then(() => undefined);
  }

  /** Settles once everything scheduled so far has finished. */
  idle(): Promise<void> {
    return Promise.all([this.barrier, ...this.running]).then(() => undefined);
  }
}
