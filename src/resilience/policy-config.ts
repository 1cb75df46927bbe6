import type { Jitter } from './backoff/exponential-backoff.ts';
import type { Clock } from './clock.ts';
import { RetryBudget } from './retry-budget.ts';
import { ServicePolicy, type AttemptGate } from './service-policy.ts';

/**
 * A service policy in the seed's configuration shape: snake_case names, times in seconds.
 * The seed's values are not defaulted here: the application's config supplies them.
 */
export interface PolicyConfig {
  retry: {
    max_retries: number;
    initial_delay: number;
    backoff_factor: number;
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
  };
  circuit_breaker: {
    failure_threshold: number;
    recovery_timeout: number;
    half_open_max_calls?: number | undefined;
    failure_rate?: { threshold: number; window: number; minimum_calls: number } | undefined;
    slow_call?:
      | { duration: number; rate_threshold: number; window: number; minimum_calls: number }
      | undefined;
  };
  timeout?: { attempt?: number | undefined; total?: number | undefined } | undefined;
  bulkhead?: { max_concurrent?: number | undefined; max_queue?: number | undefined } | undefined;
}

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

/** Builds the policy of one service from seed-shaped configuration. */
export function createServicePolicy(
  service: string,
  config: PolicyConfig,
  dependencies: PolicyDependencies = {},
): ServicePolicy {
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
    }),
    circuitBreaker: withoutUndefined({
      failureThreshold: breaker.failure_threshold,
      recoveryTimeoutMs: breaker.recovery_timeout * 1000,
      halfOpenMaxCalls: breaker.half_open_max_calls,
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
