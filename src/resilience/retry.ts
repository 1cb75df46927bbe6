import {
  backoffDefaults,
  backoffDelay,
  type BackoffOptions,
} from './backoff/exponential-backoff.ts';
import {
  isProgrammingError,
  isRetryable,
  isServiceError,
  isTimeoutError,
  isTransientError,
} from './errors.ts';
import type { CallFailedEvent } from './policy-events.ts';
import type { RetryBudget } from './retry-budget.ts';

export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt; 0 turns retrying off. */
  maxRetries: number;
  /** Wait before retrying a "too many requests in flight" answer; it does not grow. */
  concurrencyDelayMs?: number;
  /** Shared cap on retries across calls; omit to let every call retry fully. */
  budget?: RetryBudget | undefined;
  /** Which errors may be retried (default: transient, timeout and unknown errors; never a programming error). */
  shouldRetry?: (error: unknown) => boolean;
}

export const retryDefaults = Object.freeze({
  concurrencyDelayMs: 1_000,
  shouldRetry: isRetryable,
});

export type GiveUpReason = CallFailedEvent['gaveUp'];

export type RetryDecision =
  | { retry: true; delayMs: number }
  | { retry: false; gaveUp: GiveUpReason; retryAfterMs?: number | undefined };

/**
 * Decides, after a failed attempt, whether and when to try again. Transient errors only, up to
 * `maxRetries`; a `retryAfterMs` hint is a floor on the delay, and a hint longer than the
 * delay cap is handed back to the caller instead of slept on.
 */
export class RetryPolicy {
  readonly maxRetries: number;
  readonly #options: RetryOptions & typeof retryDefaults & typeof backoffDefaults;

  constructor(options: RetryOptions) {
    // one merge; Object.assign rather than spread: V8 keeps the result ~300 bytes smaller
    this.#options = Object.assign({}, backoffDefaults, retryDefaults, options);
    this.maxRetries = options.maxRetries;
  }

  get budget(): RetryBudget | undefined {
    return this.#options.budget;
  }

  /**
   * The wait the service asked for after this retryable error, when it is longer than the delay
   * cap: not one call's wait but the whole service's, so the caller should stop calling until
   * then. Undefined otherwise.
   */
  longRetryAfter(error: unknown): number | undefined {
    if (!this.#retryable(error)) return undefined;
    const hint = isServiceError(error) ? error.retryAfterMs : undefined;
    return hint !== undefined && hint > this.#options.maxDelayMs ? hint : undefined;
  }

  /** `retriesSoFar` is 0 after the first attempt failed. */
  decide(error: unknown, retriesSoFar: number, previousDelayMs?: number): RetryDecision {
    const options = this.#options;
    if (!this.#retryable(error)) return { retry: false, gaveUp: 'not_retryable' };
    if (retriesSoFar >= options.maxRetries) return { retry: false, gaveUp: 'retries_exhausted' };
    const longHint = this.longRetryAfter(error);
    if (longHint !== undefined) {
      return { retry: false, gaveUp: 'retry_after_too_long', retryAfterMs: longHint };
    }
    const hint = isServiceError(error) ? error.retryAfterMs : undefined;
    if (options.budget && !options.budget.tryWithdraw()) {
      return { retry: false, gaveUp: 'retry_budget_exhausted' };
    }
    const delay =
      isTransientError(error) && error.concurrency
        ? options.concurrencyDelayMs * (0.5 + options.random() / 2)
        : backoffDelay(options, retriesSoFar + 1, previousDelayMs);
    return { retry: true, delayMs: Math.max(delay, hint ?? 0) };
  }

  #retryable(error: unknown): boolean {
    if (isProgrammingError(error) || isTotalTimeout(error)) return false;
    return this.#options.shouldRetry(error);
  }
}

/** The whole call ran out of time: no retry can help. */
function isTotalTimeout(error: unknown): boolean {
  return isTimeoutError(error) && 'scope' in error && error.scope === 'total';
}
