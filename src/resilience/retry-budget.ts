import { systemClock, type Clock } from './clock.ts';

export interface RetryBudgetOptions {
  /** Tokens the bucket holds; it starts full. One retry costs one token. */
  maxTokens?: number;
  /** Tokens each call adds: the share of calls that may retry under sustained failure. */
  tokenRatio?: number;
  /** Tokens added per second whatever the traffic, so a quiet service can always retry. */
  refillPerSecond?: number;
  clock?: Clock;
}

export const retryBudgetDefaults = Object.freeze({
  maxTokens: 20,
  tokenRatio: 0.2,
  refillPerSecond: 0.2,
});

/**
 * A token bucket that caps retries to a share of calls (Google SRE book, "Handling
 * Overload"; AWS SDK retry quotas). At low volume the full bucket lets every call use all its
 * retries; under a sustained outage retries fall to about `tokenRatio` of calls, so a fleet of
 * workers cannot multiply the load on a service that is already down.
 */
export class RetryBudget {
  readonly #maxTokens: number;
  readonly #tokenRatio: number;
  readonly #refillPerMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;

  constructor(options: RetryBudgetOptions = {}) {
    const resolved = { ...retryBudgetDefaults, ...options };
    this.#maxTokens = resolved.maxTokens;
    this.#tokenRatio = resolved.tokenRatio;
    this.#refillPerMs = resolved.refillPerSecond / 1000;
    this.#clock = resolved.clock ?? systemClock;
    this.#tokens = this.#maxTokens;
    this.#refilledAt = this.#clock.now();
  }

  /** Tokens available now. */
  get tokens(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Called once per call: earns `tokenRatio` tokens. */
  recordCall(): void {
    this.#tokens = Math.min(this.#maxTokens, this.#tokens + this.#tokenRatio);
  }

  /** Takes one token for a retry; false when the budget is spent. */
  tryWithdraw(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  #refill(): void {
    if (this.#refillPerMs === 0) return;
    const now = this.#clock.now();
    const elapsed = now - this.#refilledAt;
    if (elapsed <= 0) return;
    this.#refilledAt = now;
    this.#tokens = Math.min(this.#maxTokens, this.#tokens + elapsed * this.#refillPerMs);
  }
}
