import { backoffDefaults, type Jitter } from './backoff/exponential-backoff.ts';
import { breakerDefaults } from './breaker/breaker-options.ts';
import { bulkheadDefaults } from './bulkhead.ts';
import type { Clock } from './clock.ts';
import { deepFreeze } from './deep-freeze.ts';
import { checkPolicyConfig } from './policy-config-check.ts';
import { RetryBudget, retryBudgetDefaults } from './retry-budget.ts';
import { retryDefaults } from './retry.ts';
import { ServicePolicy, type AttemptGate } from './service-policy.ts';

/**
 * How to protect calls to one service, in the seed's shape: snake_case names, every time in
 * **seconds**. The seed's values are not defaulted here (the application's config supplies
 * them); what is optional defaults to `policyConfigDefaults`.
 */
export interface PolicyConfig {
  retry: {
    /** Retries after the first attempt; 0 turns retrying off. */
    max_retries: number;
    /** Delay before the first retry, in seconds. */
    initial_delay: number;
    /** Growth of the delay per retry. */
    backoff_factor: number;
    /** No delay exceeds this, in seconds; a `Retry-After` longer than this is not slept on. */
    max_delay?: number | undefined;
    jitter?: Jitter | undefined;
    /** A retry budget per service; `false` turns it off. */
    budget?:
      | false
      | {
          max_tokens?: number | undefined;
          token_ratio?: number | undefined;
          refill_per_second?: number | undefined;
        }
      | undefined;
    /** Which errors may be retried (a programming error or a spent total time never is). */
    should_retry?: ((error: unknown) => boolean) | undefined;
  };
  circuit_breaker: {
    /** Consecutive failed calls (each after its retries) that open the circuit. */
    failure_threshold: number;
    /** Seconds the circuit stays open before a trial call may go. */
    recovery_timeout: number;
    /** Trial calls let through at once in half-open; that many successes close the circuit. */
    half_open_max_calls?: number | undefined;
    /** Seconds a trial may stay out before the circuit reopens (default: the longer of recovery_timeout and the attempt timeout + 1). */
    half_open_timeout?: number | undefined;
    /** Which failed calls count against the service (by default all but a permanent/request error and a bug). */
    is_failure?: ((error: unknown) => boolean) | undefined;
    failure_rate?: { threshold: number; window: number; minimum_calls: number } | undefined;
    slow_call?:
      | { duration: number; rate_threshold: number; window: number; minimum_calls: number }
      | undefined;
  };
  /** Seconds each attempt (`attempt`) and the whole call with its retries (`total`) may take. */
  timeout?: { attempt?: number | undefined; total?: number | undefined } | undefined;
  /** Calls in flight at once, and calls that may wait for a slot (past that: refused). */
  bulkhead?: { max_concurrent?: number | undefined; max_queue?: number | undefined } | undefined;
}

/** What the optional settings of a PolicyConfig default to (seconds). */
export const policyConfigDefaults = deepFreeze({
  retry: {
    max_delay: backoffDefaults.maxDelayMs / 1000,
    jitter: backoffDefaults.jitter,
    budget: {
      max_tokens: retryBudgetDefaults.maxTokens,
      token_ratio: retryBudgetDefaults.tokenRatio,
      refill_per_second: retryBudgetDefaults.refillPerSecond,
    },
    should_retry: retryDefaults.shouldRetry,
  },
  circuit_breaker: {
    half_open_max_calls: breakerDefaults.halfOpenMaxCalls,
    is_failure: breakerDefaults.isFailure,
  },
  bulkhead: {
    max_concurrent: bulkheadDefaults.maxConcurrent,
    max_queue: bulkheadDefaults.maxQueue,
  },
});

export interface PolicyDependencies {
  clock?: Clock | undefined;
  /** Uniform in [0, 1); seeds the jitter. */
  random?: (() => number) | undefined;
  /** Admits each attempt (e.g. limits shared by many processes). */
  attemptGate?: AttemptGate | undefined;
  /** Used instead of the budget `retry.budget` describes (e.g. one counted by many processes). */
  retryBudget?: RetryBudget | undefined;
}

const seconds = (value: number | undefined): number | undefined =>
  value === undefined ? undefined : value * 1000;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Builds the policy that protects calls to one service: bulkhead → circuit breaker → retry →
 * timeout → your function. The one way to make a policy. A value that makes no sense (`NaN`
 * retries, a threshold of 0, a negative timeout, an unknown key) throws a RangeError.
 */
export function createServicePolicy(
  service: string,
  config: PolicyConfig,
  dependencies: PolicyDependencies = {},
): ServicePolicy {
  checkPolicyConfig(service, config);
  const { retry, circuit_breaker: breaker } = config;
  const budget =
    retry.budget === false
      ? undefined
      : (dependencies.retryBudget ??
        new RetryBudget(
          withoutUndefined({
            maxTokens: retry.budget?.max_tokens,
            tokenRatio: retry.budget?.token_ratio,
            refillPerSecond: retry.budget?.refill_per_second,
            clock: dependencies.clock,
          }),
        ));
  return new ServicePolicy({
    service,
    clock: dependencies.clock,
    attemptGate: dependencies.attemptGate,
    retry: withoutUndefined({
      maxRetries: retry.max_retries,
      initialDelayMs: retry.initial_delay * 1000,
      backoffFactor: retry.backoff_factor,
      maxDelayMs: seconds(retry.max_delay),
      jitter: retry.jitter,
      random: dependencies.random,
      budget,
      shouldRetry: retry.should_retry,
    }),
    circuitBreaker: withoutUndefined({
      failureThreshold: breaker.failure_threshold,
      recoveryTimeoutMs: breaker.recovery_timeout * 1000,
      halfOpenMaxCalls: breaker.half_open_max_calls,
      halfOpenTimeoutMs: seconds(breaker.half_open_timeout),
      isFailure: breaker.is_failure,
      failureRate: breaker.failure_rate && {
        threshold: breaker.failure_rate.threshold,
        windowMs: breaker.failure_rate.window * 1000,
        minimumCalls: breaker.failure_rate.minimum_calls,
      },
      slowCall: breaker.slow_call && {
        durationMs: breaker.slow_call.duration * 1000,
        rateThreshold: breaker.slow_call.rate_threshold,
        windowMs: breaker.slow_call.window * 1000,
        minimumCalls: breaker.slow_call.minimum_calls,
      },
    }),
    timeout: {
      attemptMs: seconds(config.timeout?.attempt),
      totalMs: seconds(config.timeout?.total),
    },
    bulkhead: withoutUndefined({
      maxConcurrent: config.bulkhead?.max_concurrent,
      maxQueue: config.bulkhead?.max_queue,
    }),
  });
}
