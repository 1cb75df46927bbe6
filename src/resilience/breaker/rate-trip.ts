import { SlidingWindow } from './sliding-window.ts';

/** Trip on the share of failed calls in a time window. */
export interface FailureRateOptions {
  /** 0..1: open when failures / calls reaches it. */
  threshold: number;
  windowMs: number;
  /** No decision before this many calls in the window. */
  minimumCalls: number;
}

/** Trip on the share of slow calls (e.g. an LLM that answers, but too late). */
export interface SlowCallOptions {
  /** A call whose slowest attempt took at least this long is slow (backoff sleeps excluded). */
  durationMs: number;
  /** 0..1: open when slow / calls reaches it. */
  rateThreshold: number;
  windowMs: number;
  minimumCalls: number;
}

/**
 * Counts calls in a moving window and says when the failure rate or the slow-call rate
 * reaches its threshold.
 */
export class RateTrip {
  readonly #failureRate: FailureRateOptions | undefined;
  readonly #slowCall: SlowCallOptions | undefined;
  readonly #window: SlidingWindow;

  constructor(failureRate: FailureRateOptions | undefined, slowCall: SlowCallOptions | undefined) {
    this.#failureRate = failureRate;
    this.#slowCall = slowCall;
    this.#window = new SlidingWindow(Math.max(failureRate?.windowMs ?? 0, slowCall?.windowMs ?? 0));
  }

  /** Records one call; returns the reason to open, if a threshold is reached. */
  record(
    now: number,
    failed: boolean,
    durationMs: number,
  ): 'failure_rate' | 'slow_call_rate' | undefined {
    const slowCall = this.#slowCall;
    this.#window.record(now, failed, slowCall !== undefined && durationMs >= slowCall.durationMs);
    const totals = this.#window.totals(now);
    const rate = this.#failureRate;
    if (
      rate &&
      totals.calls >= rate.minimumCalls &&
      totals.failures / totals.calls >= rate.threshold
    ) {
      return 'failure_rate';
    }
    if (
      slowCall &&
      totals.calls >= slowCall.minimumCalls &&
      totals.slow / totals.calls >= slowCall.rateThreshold
    ) {
      return 'slow_call_rate';
    }
    return undefined;
  }

  clear(): void {
    this.#window.clear();
  }
}
