import { sleepOn, type Clock, type TimerHandle } from './clock.ts';

interface VirtualTimer {
  due: number;
  seq: number;
  callback: () => void;
  cleared: boolean;
}

/** Lets pending promise reactions (and ready I/O callbacks) run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. Due timers run in order of their due time (then of
 * creation), and pending promise reactions are flushed after each, so async code driven by
 * it behaves as it would in real time — in microseconds, deterministically.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: VirtualTimer[] = [];

  constructor(start = Date.UTC(2026, 0, 29, 18, 17, 0)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    const timer: VirtualTimer = {
      due: this.#now + Math.max(0, ms),
      seq: this.#seq++,
      callback,
      cleared: false,
    };
    let i = this.#timers.length;
    while (i > 0 && this.#timers[i - 1]!.due > timer.due) i--;
    this.#timers.splice(i, 0, timer);
    return {
      clear: () => {
        timer.cleared = true;
        const at = this.#timers.indexOf(timer);
        if (at >= 0) this.#timers.splice(at, 1);
      },
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Timers not yet run. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, or undefined. */
  get nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to `time`, running every timer that falls due on the way. */
  async advanceTo(time: number): Promise<void> {
    await flush();
    for (;;) {
      const next = this.#timers[0];
      if (next === undefined || next.due > time) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.due);
      if (!next.cleared) next.callback();
      await flush();
    }
    this.#now = Math.max(this.#now, time);
  }

  /**
   * Jumps from timer to timer until `done()` holds (checked after every step) or no timer is
   * left. Returns whether `done()` held. `maxSteps` guards against a loop that never settles.
   */
  async runUntil(done: () => boolean, maxSteps = 1_000_000): Promise<boolean> {
    await flush();
    for (let step = 0; step < maxSteps; step++) {
      if (done()) return true;
      const next = this.#timers[0];
      if (next === undefined) return done();
      await this.advanceTo(next.due);
    }
    throw new Error(`VirtualClock.runUntil: still not done after ${maxSteps} steps`);
  }

  /**
   * As `runUntil`, but each timer runs when its time comes in real time, `speed` times faster
   * (1: real time): the same steps in the same order as `runUntil` takes — as deterministic —
   * paced for a person to watch. Checks `done()` at least every `pollMs` of real time.
   */
  async runInRealTime(done: () => boolean, speed = 1, pollMs = 100): Promise<boolean> {
    if (!(speed > 0)) throw new RangeError(`speed must be > 0, got ${speed}`);
    const realStart = performance.now();
    const virtualStart = this.#now;
    await flush();
    for (;;) {
      if (done()) return true;
      const next = this.#timers[0];
      if (next === undefined) return done();
      const wait = realStart + (next.due - virtualStart) / speed - performance.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, pollMs)));
        continue;
      }
      await this.advanceTo(next.due);
    }
  }
}
