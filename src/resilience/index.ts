/**
 * ai-call-agent-resilience — the resilience engine: error taxonomy, clock, backoff, retry,
 * circuit breaker, timeout, bulkhead, fallback, service policy and health checker. It knows
 * nothing of calls, providers, logs or HTTP.
 */
export * from './errors.ts';
export {
  type Clock,
  type TimerHandle,
  SystemClock,
  systemClock,
  sleepOn,
  MAX_TIMER_MS,
} from './clock.ts';
export { VirtualClock } from './virtual-clock.ts';
export { EventEmitter, type Disposer, type Subscribe, onListenerError } from './events.ts';
export type * from './policy-events.ts';
export {
  backoffDelay,
  backoffDefaults,
  type BackoffOptions,
  type Jitter,
} from './backoff/exponential-backoff.ts';
export { RetryBudget, retryBudgetDefaults, type RetryBudgetOptions } from './retry-budget.ts';
export {
  RetryPolicy,
  retryDefaults,
  type RetryOptions,
  type RetryDecision,
  type GiveUpReason,
} from './retry.ts';
export {
  CircuitBreaker,
  REJECTED,
  type CircuitBreakerOptions,
  type FailureRateOptions,
  type SlowCallOptions,
  type ProvesRecoveryFrom,
} from './circuit-breaker.ts';
export {
  InMemoryCircuitStateStore,
  type CircuitSnapshot,
  type CircuitStateStore,
  type TrialPermits,
} from './breaker/state-store.ts';
export { Bulkhead, bulkheadDefaults, type BulkheadOptions } from './bulkhead.ts';
export type { AttemptContext } from './call-scope.ts';
export {
  withFallback,
  type Alternative,
  type FallbackOptions,
  type FallbackResult,
} from './fallback.ts';
export {
  ServicePolicy,
  type ServicePolicyOptions,
  type ExecuteOptions,
  type TimeoutOptions,
  type AttemptGate,
} from './service-policy.ts';
export {
  createServicePolicy,
  type PolicyConfig,
  type PolicyDependencies,
} from './policy-config.ts';
export {
  HealthChecker,
  type HealthCheckerOptions,
  type HealthProbe,
  type HealthRegistrationOptions,
  type ServiceHealth,
} from './health-checker.ts';
