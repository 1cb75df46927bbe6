import type { Clock } from '../resilience/index.ts';

/** A token bucket on a Clock: `capacity` tokens, refilled evenly over `perMs`. */
export class TokenBucket {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #at: number;

  constructor(capacity: number, perMs: number, clock: Clock) {
    this.#capacity = capacity;
    this.#refillPerMs = capacity / perMs;
    this.#clock = clock;
    this.#tokens = capacity;
    this.#at = clock.now();
  }

  /** Takes a token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** How long until a token is available. */
  msUntilToken(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#refillPerMs);
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#capacity, this.#tokens + (now - this.#at) * this.#refillPerMs);
    this.#at = now;
  }
}
