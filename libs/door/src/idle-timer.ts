/** Calls `onIdle` once `seconds` pass without `touch()`; 0 seconds means never. */
export class IdleTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly seconds: number,
    private readonly onIdle: () => void,
  ) {}

  touch(): void {
    if (this.seconds <= 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onIdle, this.seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
