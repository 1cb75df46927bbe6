import type { Clock, TimerHandle } from '../clock.ts';

/**
 * The half-open probe permits of one breaker: at most `max` out at once, and a bound on how
 * long they may stay out. The bound runs from the moment a permit goes out while none was out;
 * when it passes with a permit still out, `onTimeout` is called.
 */
export class ProbeSlots {
  readonly #max: number;
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  readonly #onTimeout: () => void;
  #out = 0;
  #succeeded = 0;
  #timer: TimerHandle | undefined;
  #deadline: number | undefined;

  constructor(max: number, timeoutMs: number, clock: Clock, onTimeout: () => void) {
    this.#max = max;
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
    this.#onTimeout = onTimeout;
  }

  /** Trials wanted now: the successes still needed, less the trials running. */
  get free(): number {
    return Math.max(0, this.#max - this.#succeeded - this.#out);
  }

  /** Trials running now. */
  get running(): number {
    return this.#out;
  }

  /** When the running trials must have ended (the timeout), if any run. */
  get deadline(): number | undefined {
    return this.#deadline;
  }

  /** Hands out a permit if a trial is wanted. */
  tryTake(): boolean {
    if (this.free === 0) return false;
    this.#out++;
    if (this.#timer === undefined) {
      this.#deadline = this.#clock.now() + this.#timeoutMs;
      this.#timer = this.#clock.setTimer(
        () => {
          this.#timer = undefined;
          this.#deadline = undefined;
          if (this.#out > 0) this.#onTimeout();
        },
        this.#timeoutMs,
        { keepAlive: true }, // a trial call is in flight
      );
    }
    return true;
  }

  /** A permit came back without a verdict (cancelled, or a bad request). */
  giveBack(): void {
    if (--this.#out > 0) return;
    this.#timer?.clear();
    this.#timer = undefined;
    this.#deadline = undefined;
  }

  /** A probe succeeded; true once `max` of them have. */
  succeed(): boolean {
    this.giveBack();
    return ++this.#succeeded >= this.#max;
  }

  /** Forgets every permit (the circuit changed state). */
  reset(): void {
    this.#out = 0;
    this.#succeeded = 0;
    this.#timer?.clear();
    this.#timer = undefined;
    this.#deadline = undefined;
  }
}
