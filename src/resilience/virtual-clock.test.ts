import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

describe('VirtualClock', () => {
  it('starts at the given time and only moves when told', async () => {
    const clock = new VirtualClock(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(250);
    expect(clock.now()).toBe(1_250);
    await clock.advanceTo(1_000); // never backwards
    expect(clock.now()).toBe(1_250);
  });

  it('runs due timers in order of due time, then of creation, at their due time', async () => {
    const clock = new VirtualClock(0);
    const ran: Array<[string, number]> = [];
    const at = (name: string, ms: number): unknown =>
      clock.setTimer(() => ran.push([name, clock.now()]), ms);
    at('c', 30);
    at('a1', 10);
    at('b', 20);
    at('a2', 10);
    at('z', 0);
    expect(clock.nextDue).toBe(0);
    await clock.advance(25);
    expect(ran).toEqual([
      ['z', 0],
      ['a1', 10],
      ['a2', 10],
      ['b', 20],
    ]);
    expect(clock.now()).toBe(25);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(5);
    expect(ran.at(-1)).toEqual(['c', 30]);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.nextDue).toBeUndefined();
  });

  it('runs timers scheduled by timers when they fall due within the same advance', async () => {
    const clock = new VirtualClock(0);
    const ran: number[] = [];
    clock.setTimer(() => {
      ran.push(clock.now());
      clock.setTimer(() => ran.push(clock.now()), 5);
    }, 10);
    await clock.advance(20);
    expect(ran).toEqual([10, 15]);
  });

  it('a cleared timer does not run and is no longer pending', async () => {
    const clock = new VirtualClock(0);
    let ran = false;
    const handle = clock.setTimer(() => (ran = true), 10);
    expect(clock.pendingTimers).toBe(1);
    handle.clear();
    handle.clear();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(100);
    expect(ran).toBe(false);
  });

  it('lets promise chains continue between timers (async code behaves as in real time)', async () => {
    const clock = new VirtualClock(0);
    const log: number[] = [];
    const task = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        await Promise.resolve();
        log.push(clock.now());
      }
    })();
    await clock.advance(1_000);
    await task;
    expect(log).toEqual([100, 200, 300]);
  });

  it('sleep rejects on abort and frees its timer', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(500, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('runUntil jumps from timer to timer until the condition holds', async () => {
    const clock = new VirtualClock(0);
    let done = false;
    void clock.sleep(7_000).then(() => (done = true));
    clock.setTimer(() => undefined, 60_000);
    expect(await clock.runUntil(() => done)).toBe(true);
    expect(clock.now()).toBe(7_000);
    expect(clock.pendingTimers).toBe(1);
    // nothing left that could make it true: false once the timers run out
    expect(await clock.runUntil(() => false)).toBe(false);
    expect(clock.now()).toBe(60_000);
  });

  it('runUntil throws when the condition never settles', async () => {
    const clock = new VirtualClock(0);
    const tick = (): void => void clock.setTimer(tick, 1);
    tick();
    await expect(clock.runUntil(() => false, 50)).rejects.toThrow(/still not done/);
  });
});

describe('VirtualClock.runInRealTime', () => {
  it('runs the timers runUntil runs, in the same order, paced by real time', async () => {
    const trace = async (run: (clock: VirtualClock, done: () => boolean) => Promise<boolean>) => {
      const clock = new VirtualClock(0);
      const seen: string[] = [];
      let finished = false;
      const chain = async (): Promise<void> => {
        for (let i = 0; i < 3; i++) {
          await clock.sleep(100 * (i + 1));
          seen.push(`sleep ${i} at ${clock.now()}`);
          clock.setTimer(() => seen.push(`timer ${i} at ${clock.now()}`), 50);
        }
        finished = true;
      };
      void chain();
      const started = performance.now();
      await run(clock, () => finished);
      return { seen, realMs: performance.now() - started };
    };
    const virtual = await trace((clock, done) => clock.runUntil(done));
    const paced = await trace((clock, done) => clock.runInRealTime(done, 10));
    expect(paced.seen).toEqual(virtual.seen);
    expect(virtual.seen.at(-1)).toBe('sleep 2 at 600');
  });
});
