import { RequestOrder } from './request-order';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('RequestOrder', () => {
  it('runs reads and writes side by side, and everything else after all before it', async () => {
    const order = new RequestOrder();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
    };
    order.run(true, task('write1', 20));
    order.run(true, task('write2', 5));
    order.run(false, task('close', 1));
    order.run(true, task('read', 1));
    await order.idle();
    expect(log).toEqual([
      'start write1',
      'start write2',
      'end write2',
      'end write1',
      'start close',
      'end close',
      'start read',
      'end read',
    ]);
  });

  it('goes on after a task that fails', async () => {
    const order = new RequestOrder();
    let ran = false;
    order.run(false, () => Promise.reject(new Error('boom')));
    order.run(false, async () => {
      ran = true;
    });
    await order.idle();
    await tick();
    expect(ran).toBe(true);
  });
});
