import { BulkheadRejectedError } from './errors.ts';

export interface BulkheadOptions {
  service: string;
  /** Calls allowed in flight at once. */
  maxConcurrent?: number;
  /** Calls allowed to wait for a slot; past that they are rejected at once. */
  maxQueue?: number;
}

export const bulkheadDefaults = Object.freeze({
  maxConcurrent: Number.POSITIVE_INFINITY,
  maxQueue: 0,
});

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Caps the calls in flight to one service (ElevenLabs caps concurrency per plan) with a
 * bounded wait queue. A released slot goes straight to the oldest waiter.
 */
export class Bulkhead {
  readonly service: string;
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  #active = 0;
  #queue: Waiter[] = [];

  constructor(options: BulkheadOptions) {
    const resolved = { ...bulkheadDefaults, ...options };
    this.service = resolved.service;
    this.maxConcurrent = resolved.maxConcurrent;
    this.maxQueue = resolved.maxQueue;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Takes a slot if one is free. */
  tryEnter(): boolean {
    if (this.#active >= this.maxConcurrent) return false;
    this.#active++;
    return true;
  }

  /** Whether a caller that cannot enter may still wait in the queue. */
  get canQueue(): boolean {
    return this.#queue.length < this.maxQueue;
  }

  /**
   * Takes a slot, waiting in the queue when none is free. Rejects with
   * `BulkheadRejectedError` when the queue is full, or with the signal's reason on abort.
   */
  enter(signal?: AbortSignal): Promise<void> {
    if (this.tryEnter()) return Promise.resolve();
    if (!this.canQueue) {
      return Promise.reject(
        new BulkheadRejectedError(
          `${this.service}: ${this.#active} calls in flight and ${this.#queue.length} waiting`,
          { service: this.service },
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.#queue = this.#queue.filter((w) => w !== waiter);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  /** Gives a slot back, handing it to the oldest waiter if there is one. */
  release(): void {
    const next = this.#queue.shift();
    if (next) {
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve();
    } else {
      this.#active--;
    }
  }
}
