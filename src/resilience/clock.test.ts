import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, setLongTimer, sleepOn, SystemClock } from './clock.ts';
import { VirtualClock } from './virtual-clock.ts';

describe('sleepOn', () => {
  it('resolves when its timer fires and leaves no listener behind', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    let done = false;
    const sleeping = sleepOn(clock, 1_000, controller.signal).then(() => {
      done = true;
    });
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
    // aborting now must not reject anything or run a stale listener
    controller.abort(new Error('late'));
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with the reason when the signal aborts mid-sleep and clears its timer', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const reason = new Error('stop');
    const sleeping = sleepOn(clock, 60_000, controller.signal);
    expect(clock.pendingTimers).toBe(1);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects at once on a signal that is already aborted, without a timer', async () => {
    const clock = new VirtualClock();
    const reason = new Error('already');
    await expect(sleepOn(clock, 10, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('SystemClock', () => {
  it('refuses a scale that is not positive', () => {
    expect(() => new SystemClock({ scale: 0 })).toThrow(RangeError);
    expect(() => new SystemClock({ scale: -1 })).toThrow(RangeError);
    expect(() => new SystemClock({ scale: Number.NaN })).toThrow(RangeError);
  });

  it('reads the real time at scale 1', () => {
    const before = Date.now();
    const now = new SystemClock().now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('runs a zero-delay timer, and a cleared timer never', async () => {
    const clock = new SystemClock();
    const ran: string[] = [];
    clock.setTimer(() => ran.push('cleared'), 0).clear();
    await new Promise<void>((resolve) => clock.setTimer(() => resolve(), 0));
    await clock.sleep(0);
    expect(ran).toEqual([]);
  });

  it('sleep rejects with the signal reason when aborted', async () => {
    const clock = new SystemClock({ scale: 1_000 });
    const controller = new AbortController();
    const sleeping = clock.sleep(3_600_000, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
  });
});

describe('timers longer than Node allows (2^31 - 1 ms)', () => {
  it('a SystemClock timer of 3,000,000 s does not fire at once', async () => {
    let fired = false;
    const timer = new SystemClock().setTimer(() => (fired = true), 3_000_000_000);
    await new Promise((resolve) => setTimeout(resolve, 20)); // Node would fire an overflowing timer after 1 ms
    timer.clear();
    expect(fired).toBe(false);
  });

  it('is served by a chain of timers, none longer than the maximum', () => {
    const armed: Array<{ ms: number; fire: () => void; cleared: boolean }> = [];
    const schedule = (fire: () => void, ms: number) => {
      const entry = { ms, fire, cleared: false };
      armed.push(entry);
      return { clear: () => void (entry.cleared = true) };
    };
    let fired = 0;
    setLongTimer(() => fired++, 2 * MAX_TIMER_MS + 5, schedule);
    expect(armed.map((a) => a.ms)).toEqual([MAX_TIMER_MS]);
    armed[0]!.fire();
    armed[1]!.fire();
    expect(armed.map((a) => a.ms)).toEqual([MAX_TIMER_MS, MAX_TIMER_MS, 5]);
    expect(fired).toBe(0);
    armed[2]!.fire();
    expect(fired).toBe(1);
  });

  it('clearing it mid-chain clears the link that is armed', () => {
    const armed: Array<{ fire: () => void; cleared: boolean }> = [];
    const schedule = (fire: () => void) => {
      const entry = { fire, cleared: false };
      armed.push(entry);
      return { clear: () => void (entry.cleared = true) };
    };
    const timer = setLongTimer(() => undefined, MAX_TIMER_MS + 1, schedule);
    armed[0]!.fire();
    timer.clear();
    expect(armed.map((a) => a.cleared)).toEqual([false, true]);
  });

  it('a delay within the maximum is one timer', () => {
    const delays: number[] = [];
    setLongTimer(
      () => undefined,
      5_000,
      (_fire, ms) => {
        delays.push(ms);
        return { clear: () => undefined };
      },
    );
    expect(delays).toEqual([5_000]);
  });

  it('passes keep-alive to every link of the chain, and a change of it to the armed link', () => {
    const armed: Array<{ fire: () => void; keep: boolean[] }> = [];
    const schedule = (fire: () => void, _ms: number, keepAlive: boolean) => {
      const entry = { fire, keep: [keepAlive] };
      armed.push(entry);
      return { clear: () => undefined, keepAlive: (on: boolean) => void entry.keep.push(on) };
    };
    const timer = setLongTimer(() => undefined, 2 * MAX_TIMER_MS + 1, schedule, true);
    armed[0]!.fire();
    timer.keepAlive?.(false);
    armed[1]!.fire();
    expect(armed.map((a) => a.keep)).toEqual([[true], [true, false], [false]]);
  });
});
