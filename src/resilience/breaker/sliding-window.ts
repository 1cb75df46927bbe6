/** Outcome counts over the last `windowMs`, kept in a ring of time buckets. */
export interface WindowTotals {
  calls: number;
  failures: number;
  slow: number;
}

const BUCKETS = 10;

/**
 * Counts calls, failures and slow calls over a moving time window. Memory is fixed (three
 * small typed arrays) and recording is O(1); old buckets are cleared as time moves on.
 */
export class SlidingWindow {
  readonly #bucketMs: number;
  readonly #calls = new Uint32Array(BUCKETS);
  readonly #failures = new Uint32Array(BUCKETS);
  readonly #slow = new Uint32Array(BUCKETS);
  #currentBucket = 0;
  #currentStart = 0;

  constructor(windowMs: number) {
    this.#bucketMs = Math.max(1, windowMs / BUCKETS);
  }

  record(now: number, failed: boolean, slow: boolean): void {
    const i = this.#advance(now);
    this.#calls[i]!++;
    if (failed) this.#failures[i]!++;
    if (slow) this.#slow[i]!++;
  }

  totals(now: number): WindowTotals {
    this.#advance(now);
    let calls = 0;
    let failures = 0;
    let slow = 0;
    for (let i = 0; i < BUCKETS; i++) {
      calls += this.#calls[i]!;
      failures += this.#failures[i]!;
      slow += this.#slow[i]!;
    }
    return { calls, failures, slow };
  }

  clear(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#slow.fill(0);
  }

  /** Moves the ring to the bucket holding `now`, clearing the buckets skipped over. */
  #advance(now: number): number {
    const steps = Math.floor((now - this.#currentStart) / this.#bucketMs);
    if (steps <= 0) return this.#currentBucket;
    for (let s = 1; s <= Math.min(steps, BUCKETS); s++) {
      const i = (this.#currentBucket + s) % BUCKETS;
      this.#calls[i] = 0;
      this.#failures[i] = 0;
      this.#slow[i] = 0;
    }
    this.#currentBucket = (this.#currentBucket + steps) % BUCKETS;
    this.#currentStart += steps * this.#bucketMs;
    return this.#currentBucket;
  }
}
