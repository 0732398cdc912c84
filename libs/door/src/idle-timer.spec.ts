import { IdleTimer } from './idle-timer';

describe('IdleTimer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fires once the time passes without a touch, and each touch starts it again', () => {
    const onIdle = jest.fn();
    const timer = new IdleTimer(10, onIdle);
    timer.touch();
    jest.advanceTimersByTime(9_000);
    timer.touch();
    jest.advanceTimersByTime(9_000);
    expect(onIdle).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('never fires when set to 0 seconds or once stopped', () => {
    const onIdle = jest.fn();
    new IdleTimer(0, onIdle).touch();
    const stopped = new IdleTimer(1, onIdle);
    stopped.touch();
    stopped.stop();
    jest.advanceTimersByTime(60_000);
    expect(onIdle).not.toHaveBeenCalled();
  });
});
