import type { Clock, TimerHandle } from '../resilience/index.ts';
import type { AlertInput } from './alert.ts';

interface Window {
  more: number;
  last: AlertInput;
  timer: TimerHandle;
}

/**
 * Folds repeats: the first alert of a service + kind goes out at once and opens a window of
 * `windowMs`; repeats inside it are counted, and when it ends one summary carries the count
 * and the latest message (none if nothing repeated). At most two messages per service and
 * kind per window, however many events.
 */
export class AlertDeduper {
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #emit: (input: AlertInput, more: number) => void;
  readonly #windows = new Map<string, Window>();

  constructor(windowMs: number, clock: Clock, emit: (input: AlertInput, more: number) => void) {
    this.#windowMs = windowMs;
    this.#clock = clock;
    this.#emit = emit;
  }

  offer(input: AlertInput): void {
    const key = `${input.service}\u0000${input.kind}`;
    const open = this.#windows.get(key);
    if (open) {
      open.more++;
      open.last = input;
      return;
    }
    const timer = this.#clock.setTimer(() => this.#end(key), this.#windowMs);
    this.#windows.set(key, { more: 0, last: input, timer });
    this.#emit(input, 0);
  }

  /** Ends every window now, sending their summaries. */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#end(key);
  }

  #end(key: string): void {
    const window = this.#windows.get(key);
    if (!window) return;
    window.timer.clear();
    this.#windows.delete(key);
    if (window.more > 0) this.#emit(window.last, window.more);
  }
}
