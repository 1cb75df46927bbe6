import { describe, expect, it } from 'vitest';
import { backoffDefaults } from './backoff/exponential-backoff.ts';
import { breakerDefaults } from './breaker/breaker-options.ts';
import { bulkheadDefaults } from './bulkhead.ts';
import { policyConfigDefaults } from './policy-config.ts';
import { TransientServiceError } from './errors.ts';
import { retryBudgetDefaults } from './retry-budget.ts';
import { RetryPolicy, retryDefaults } from './retry.ts';

const defaults = {
  backoffDefaults,
  breakerDefaults,
  bulkheadDefaults,
  retryBudgetDefaults,
  retryDefaults,
};

describe('the defaults objects', () => {
  it.each(Object.entries(defaults))('%s cannot be changed', (_name, object) => {
    const writable = object as Record<string, unknown>;
    const [key] = Object.keys(object);
    expect(() => {
      writable[key!] = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      writable.added = 1;
    }).toThrow(TypeError);
    expect(writable.added).toBeUndefined();
  });

  it('an attempt to turn retries off for everyone leaves the next policy retrying', () => {
    try {
      (retryDefaults as { shouldRetry: (error: unknown) => boolean }).shouldRetry = () => false;
    } catch {
      // frozen: the assignment throws in strict mode
    }
    const retry = new RetryPolicy({ maxRetries: 1, initialDelayMs: 10, backoffFactor: 2 });
    const decision = retry.decide(new TransientServiceError('503', { service: 'tts' }), 0);
    expect(decision.retry).toBe(true);
  });

  it("policyConfigDefaults, in the config's own names and seconds, is frozen all the way down", () => {
    const nested = policyConfigDefaults.retry.budget as { max_tokens: number };
    expect(() => {
      nested.max_tokens = 0;
    }).toThrow(TypeError);
    expect(() => {
      (policyConfigDefaults.retry as { should_retry: unknown }).should_retry = () => false;
    }).toThrow(TypeError);
    expect(policyConfigDefaults).toMatchObject({
      retry: { max_delay: 60, jitter: 'full', budget: { max_tokens: 20 } },
      circuit_breaker: { half_open_max_calls: 1 },
    });
  });
});
