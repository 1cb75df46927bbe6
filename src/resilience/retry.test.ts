import { describe, expect, it } from 'vitest';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  PermanentServiceError,
  TimeoutError,
  TransientServiceError,
} from './errors.ts';
import { RetryBudget } from './retry-budget.ts';
import { RetryPolicy } from './retry.ts';
import { VirtualClock } from './virtual-clock.ts';

const seed = { maxRetries: 3, initialDelayMs: 5_000, backoffFactor: 2, jitter: 'none' as const };
const transient = (retryAfterMs?: number): TransientServiceError =>
  new TransientServiceError('503', { service: 'tts', retryAfterMs });

describe('RetryPolicy.decide', () => {
  it('retries transient errors with the seed backoff up to max_retries', () => {
    const policy = new RetryPolicy(seed);
    const decisions = [0, 1, 2, 3].map((n) => policy.decide(transient(), n));
    expect(decisions).toEqual([
      { retry: true, delayMs: 5_000 },
      { retry: true, delayMs: 10_000 },
      { retry: true, delayMs: 20_000 },
      { retry: false, gaveUp: 'retries_exhausted' },
    ]);
  });

  it('never retries a programming error, even when shouldRetry says yes', () => {
    const policy = new RetryPolicy({ ...seed, shouldRetry: () => true });
    expect(policy.decide(new TypeError('x is not a function'), 0)).toEqual({
      retry: false,
      gaveUp: 'not_retryable',
    });
    expect(policy.decide(new Error('socket hang up'), 0)).toMatchObject({ retry: true });
  });

  it("longRetryAfter: a retryable error's hint past the delay cap, else nothing", () => {
    const policy = new RetryPolicy({ ...seed, maxDelayMs: 60_000 });
    expect(policy.longRetryAfter(transient(60_001))).toBe(60_001);
    expect(policy.longRetryAfter(transient(60_000))).toBeUndefined();
    const quota = new PermanentServiceError('quota', {
      service: 'tts',
      scope: 'service',
      retryAfterMs: 3_600_000,
    });
    expect(policy.longRetryAfter(quota)).toBeUndefined(); // the breaker reads that one itself
  });

  it('max_retries 0 turns retrying off', () => {
    expect(new RetryPolicy({ ...seed, maxRetries: 0 }).decide(transient(), 0)).toEqual({
      retry: false,
      gaveUp: 'retries_exhausted',
    });
  });

  it('never retries permanent errors, refusals or a total timeout', () => {
    const policy = new RetryPolicy(seed);
    for (const error of [
      new PermanentServiceError('401', { service: 'tts', scope: 'service' }),
      new PermanentServiceError('422', { service: 'tts', scope: 'request' }),
      new CircuitOpenError('open', { service: 'tts' }),
      new BulkheadRejectedError('full', { service: 'tts' }),
      new TimeoutError('total', { service: 'tts', scope: 'total' }),
    ]) {
      expect(policy.decide(error, 0)).toEqual({ retry: false, gaveUp: 'not_retryable' });
    }
  });

  it('retries an attempt timeout and a foreign error', () => {
    const policy = new RetryPolicy(seed);
    expect(policy.decide(new TimeoutError('t', { service: 'tts', scope: 'attempt' }), 0)).toEqual({
      retry: true,
      delayMs: 5_000,
    });
    expect(policy.decide(new Error('ECONNRESET'), 0).retry).toBe(true);
  });

  it('honours a custom shouldRetry', () => {
    const policy = new RetryPolicy({ ...seed, shouldRetry: () => false });
    expect(policy.decide(transient(), 0)).toEqual({ retry: false, gaveUp: 'not_retryable' });
  });

  it('a retryAfterMs hint is a floor on the next delay', () => {
    const policy = new RetryPolicy(seed);
    expect(policy.decide(transient(30_000), 0)).toEqual({ retry: true, delayMs: 30_000 });
    // a hint shorter than the backoff does not shorten it
    expect(policy.decide(transient(1_000), 1)).toEqual({ retry: true, delayMs: 10_000 });
  });

  it('a hint longer than the delay cap is surfaced, not slept on', () => {
    const policy = new RetryPolicy({ ...seed, maxDelayMs: 60_000 });
    expect(policy.decide(transient(60_000), 0)).toEqual({ retry: true, delayMs: 60_000 });
    expect(policy.decide(transient(3_600_000), 0)).toEqual({
      retry: false,
      gaveUp: 'retry_after_too_long',
      retryAfterMs: 3_600_000,
    });
  });

  it('waits a short, non-growing delay on a concurrency limit', () => {
    const policy = new RetryPolicy({ ...seed, concurrencyDelayMs: 2_000, random: () => 0.5 });
    const busy = new TransientServiceError('busy', { service: 'tts', concurrency: true });
    expect(policy.decide(busy, 0)).toEqual({ retry: true, delayMs: 1_500 });
    expect(policy.decide(busy, 2)).toEqual({ retry: true, delayMs: 1_500 });
  });

  it('passes the previous delay to decorrelated jitter', () => {
    const policy = new RetryPolicy({
      ...seed,
      jitter: 'decorrelated',
      maxDelayMs: 1e9,
      random: () => 1 - Number.EPSILON,
    });
    const first = policy.decide(transient(), 0);
    expect(first.retry && first.delayMs).toBeCloseTo(15_000, 3);
    const second = policy.decide(transient(), 1, 15_000);
    expect(second.retry && second.delayMs).toBeCloseTo(45_000, 3);
  });

  it('asks the budget for a token per retry and gives up when it is spent', () => {
    const budget = new RetryBudget({
      maxTokens: 2,
      tokenRatio: 0.1,
      refillPerSecond: 0,
      clock: new VirtualClock(),
    });
    const policy = new RetryPolicy({ ...seed, budget });
    expect(policy.budget).toBe(budget);
    expect(policy.decide(transient(), 0).retry).toBe(true);
    expect(policy.decide(transient(), 1).retry).toBe(true);
    expect(policy.decide(transient(), 2)).toEqual({
      retry: false,
      gaveUp: 'retry_budget_exhausted',
    });
    // no token is spent on errors that would not be retried anyway
    budget.recordCall();
    expect(policy.decide(transient(), 3).retry).toBe(false);
    expect(budget.tokens).toBeCloseTo(0.1, 9);
  });
});
