import { describe, expect, it } from 'vitest';
import { createServicePolicy, type PolicyConfig } from './policy-config.ts';

const valid: PolicyConfig = {
  retry: { max_retries: 3, initial_delay: 1, backoff_factor: 2, jitter: 'full' },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
  timeout: { attempt: 5 },
  bulkhead: { max_concurrent: 10 },
};

/** The message createServicePolicy throws for `config`. */
function refusal(config: unknown): string {
  try {
    createServicePolicy('quotes', config as PolicyConfig);
  } catch (error) {
    expect(error).toBeInstanceOf(RangeError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('createServicePolicy refuses a configuration that makes no sense', () => {
  it('accepts a sound one', () => {
    expect(createServicePolicy('quotes', valid).state).toBe('CLOSED');
  });

  it('NaN retries (Number() of an unset variable), which would retry for ever', () => {
    expect(refusal({ ...valid, retry: { ...valid.retry, max_retries: Number(undefined) } })).toBe(
      'policy for quotes: retry.max_retries: a whole number ≥ 0, got NaN',
    );
  });

  it('names every field that is wrong, nested ones too, and keys that are not settings', () => {
    const message = refusal({
      ...valid,
      retry: { ...valid.retry, jitter: 'bogus', max_retries: 2.5 },
      circuit_breaker: {
        failure_threshold: 0,
        recovery_timeout: '10',
        failure_rate: { threshold: 2, window: 10, minimum_calls: 5 },
      },
      timeout: { attempt: -1 },
      bulkhead: { max_concurrent: 0 },
      retires: 3,
    });
    for (const part of [
      'retires: not a setting',
      'retry.max_retries: a whole number ≥ 0, got 2.5',
      'retry.jitter: none, full, equal or decorrelated, got "bogus"',
      'circuit_breaker.failure_threshold: a whole number ≥ 1, got 0',
      'circuit_breaker.recovery_timeout: seconds > 0, got "10"',
      'circuit_breaker.failure_rate.threshold: a share in (0, 1], got 2',
      'timeout.attempt: seconds > 0, got -1',
      'bulkhead.max_concurrent: a whole number ≥ 1, got 0',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('a missing section', () => {
    expect(refusal({ retry: valid.retry })).toBe(
      'policy for quotes: circuit_breaker: required (an object)',
    );
  });
});
