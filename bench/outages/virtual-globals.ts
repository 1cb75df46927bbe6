import type { Clock, TimerHandle } from '../../src/resilience/index.ts';

/**
 * cockatiel and opossum take no clock: they call the global `setTimeout`, `setInterval` and
 * `Date.now` (cockatiel's breaker reads `Date.now()` for `halfOpenAfter`; opossum arms its
 * `resetTimeout` with `setTimeout` and rolls its stats window with `setInterval`). To run them
 * on the campaign's VirtualClock we do what their users do in tests with fake timers: for the
 * length of the run, those four globals (and `clearTimeout`/`clearInterval`) are backed by the
 * clock. Nothing else of the bench reads them (our code takes the Clock), and
 * `setImmediate`, which the VirtualClock uses to flush promise reactions, is left alone.
 * Returns the function that puts the real globals back.
 */
export function installClockGlobals(clock: Clock): () => void {
  const saved = {
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
    now: Date.now,
  };
  const clear = (handle: unknown): void => {
    if (handle instanceof ClockTimer) handle.cancel();
  };
  const fakeSetTimeout = (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) =>
    new ClockTimer(clock, () => callback(...args), ms, false);
  const fakeSetInterval = (callback: (...args: unknown[]) => void, ms = 0, ...args: unknown[]) =>
    new ClockTimer(clock, () => callback(...args), ms, true);
  Object.assign(globalThis, {
    setTimeout: fakeSetTimeout,
    clearTimeout: clear,
    setInterval: fakeSetInterval,
    clearInterval: clear,
  });
  Date.now = () => clock.now();
  return () => {
    Object.assign(globalThis, {
      setTimeout: saved.setTimeout,
      clearTimeout: saved.clearTimeout,
      setInterval: saved.setInterval,
      clearInterval: saved.clearInterval,
    });
    Date.now = saved.now;
  };
}

/** A Node-like timer (`unref`, `ref`, `hasRef`) on the clock; repeats when `repeat`. */
class ClockTimer {
  #handle: TimerHandle | undefined;
  #cancelled = false;

  constructor(
    private readonly clock: Clock,
    private readonly callback: () => void,
    private readonly ms: number,
    private readonly repeat: boolean,
  ) {
    this.#arm();
  }

  #arm(): void {
    this.#handle = this.clock.setTimer(
      () => {
        if (this.#cancelled) return;
        if (this.repeat) this.#arm();
        this.callback();
      },
      this.repeat ? Math.max(1, this.ms) : this.ms,
    );
  }

  cancel(): void {
    this.#cancelled = true;
    this.#handle?.clear();
  }

  unref(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  hasRef(): boolean {
    return false;
  }
}
