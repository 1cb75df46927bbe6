/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  clear(): void;
  /** Changes whether the timer keeps the process alive (a clock without a process ignores it). */
  keepAlive?(on: boolean): void;
}

export interface TimerOptions {
  /**
   * Whether the timer keeps the process alive until it fires or is cleared. Default false:
   * background work (health checks, reports) must never hold a process open; the timers of a
   * call in flight (its retry delays, its deadlines) ask for true.
   */
  keepAlive?: boolean | undefined;
}

/**
 * Where the engine reads time and schedules work. Everything time-based (retry delays,
 * breaker timeouts, health intervals, deadlines) goes through a Clock, so tests and the
 * simulation can run on a virtual one.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `ms` (0: as soon as pending I/O has had its turn). */
  setTimer(callback: () => void, ms: number, options?: TimerOptions): TimerHandle;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal, options?: TimerOptions): Promise<void>;
}

/** Implements `sleep` on top of `setTimer`, removing its listener and timer in every case. */
export function sleepOn(
  clock: Pick<Clock, 'setTimer'>,
  ms: number,
  signal?: AbortSignal,
  options?: TimerOptions,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.clear();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      ms,
      options,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest delay Node's `setTimeout` honours; it fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Arms one timer of at most MAX_TIMER_MS. */
type ArmTimer = (callback: () => void, ms: number, keepAlive: boolean) => TimerHandle;

const armNodeTimer: ArmTimer = (callback, ms, keepAlive) => {
  if (ms <= 0) {
    // As soon as the pending I/O has had its turn, without setTimeout's 1 ms floor: a
    // zero-delay sleep is how a long run of synchronous work yields.
    const immediate = setImmediate(callback);
    if (!keepAlive) immediate.unref();
    return {
      clear: () => clearImmediate(immediate),
      keepAlive: (on) => void (on ? immediate.ref() : immediate.unref()),
    };
  }
  const timer = setTimeout(callback, ms);
  if (!keepAlive) timer.unref();
  return {
    clear: () => clearTimeout(timer),
    keepAlive: (on) => void (on ? timer.ref() : timer.unref()),
  };
};

/**
 * Runs `callback` after `ms`, however long: a delay past MAX_TIMER_MS is served by a chain of
 * timers, each at most that long. `arm` is the seam tests replace.
 */
export function setLongTimer(
  callback: () => void,
  ms: number,
  arm: ArmTimer = armNodeTimer,
  keepAlive = false,
): TimerHandle {
  let link: TimerHandle;
  let keep = keepAlive;
  const armLink = (remaining: number): void => {
    const step = Math.min(remaining, MAX_TIMER_MS);
    link = arm(() => (remaining > step ? armLink(remaining - step) : callback()), step, keep);
  };
  armLink(Math.max(0, ms));
  return {
    clear: () => link.clear(),
    keepAlive: (on) => {
      keep = on;
      link.keepAlive?.(on);
    },
  };
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

  setTimer(callback: () => void, ms: number, options?: TimerOptions): TimerHandle {
    return setLongTimer(callback, ms / this.#scale, armNodeTimer, options?.keepAlive ?? false);
  }

  sleep(ms: number, signal?: AbortSignal, options?: TimerOptions): Promise<void> {
    return sleepOn(this, ms, signal, options);
  }
}

/** The process's real clock. */
export const systemClock: Clock = new SystemClock();
