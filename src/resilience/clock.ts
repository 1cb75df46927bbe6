/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  clear(): void;
}

/**
 * Where the engine reads time and schedules work. Everything time-based (retry delays,
 * breaker timeouts, health intervals, deadlines) goes through a Clock, so tests and the
 * simulation can run on a virtual one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Runs `callback` after `ms` (0: as soon as pending I/O has had its turn); never keeps the
   * process alive on its own.
   */
  setTimer(callback: () => void, ms: number): TimerHandle;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Implements `sleep` on top of `setTimer`, removing its listener and timer in every case. */
export function sleepOn(
  clock: Pick<Clock, 'setTimer'>,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.clear();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest delay Node's `setTimeout` honours; it fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Arms one timer of at most MAX_TIMER_MS. */
type ArmTimer = (callback: () => void, ms: number) => TimerHandle;

const armNodeTimer: ArmTimer = (callback, ms) => {
  if (ms <= 0) {
    // As soon as the pending I/O has had its turn, without setTimeout's 1 ms floor: a
    // zero-delay sleep is how a long run of synchronous work yields.
    const immediate = setImmediate(callback);
    immediate.unref();
    return { clear: () => clearImmediate(immediate) };
  }
  const timer = setTimeout(callback, ms);
  timer.unref();
  return { clear: () => clearTimeout(timer) };
};

/**
 * Runs `callback` after `ms`, however long: a delay past MAX_TIMER_MS is served by a chain of
 * timers, each at most that long. `arm` is the seam tests replace.
 */
export function setLongTimer(
  callback: () => void,
  ms: number,
  arm: ArmTimer = armNodeTimer,
): TimerHandle {
  let link: TimerHandle;
  const armLink = (remaining: number): void => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    link = arm(() => (remaining > step ? armLink(remaining - step) : callback()), step);
  };
  armLink(Math.max(0, ms));
  return { clear: () => link.clear() };
}

/** Real time, optionally sped up: with `scale: 60` a minute passes in a second. */
export class SystemClock implements Clock {
  readonly #scale: number;
  readonly #origin = Date.now();

  constructor(options: { scale?: number } = {}) {
    this.#scale = options.scale ?? 1;
    if (!(this.#scale > 0)) throw new RangeError(`clock scale must be > 0, got ${this.#scale}`);
  }

  now(): number {
    if (this.#scale === 1) return Date.now();
    return this.#origin + (Date.now() - this.#origin) * this.#scale;
  }

  setTimer(callback: () => void, ms: number): TimerHandle {
    return setLongTimer(callback, ms / this.#scale);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
}

/** The process's real clock. */
export const systemClock: Clock = new SystemClock();
