/**
 * ai-call-agent-resilience — the resilience engine: error taxonomy, clock, retry, circuit
 * breaker, timeout, bulkhead, fallback, service policy and health checker. It knows nothing
 * of calls, providers or logs. Everything public is listed here; the rest is internal.
 */
export {
  ErrorCode,
  ServiceError,
  TransientServiceError,
  PermanentServiceError,
  CircuitOpenError,
  TimeoutError,
  BulkheadRejectedError,
  PolicyDisposedError,
  isServiceError,
  isTransientError,
  isPermanentError,
  isCircuitOpenError,
  isTimeoutError,
  isBulkheadRejectedError,
  isPolicyDisposedError,
  isProgrammingError,
  isRetryable,
  classifyError,
  describeError,
  type ErrorClass,
  type ErrorInfo,
  type ServiceErrorOptions,
  type TransientErrorOptions,
  type SignalTimeoutError,
} from './errors.ts';
export { errorFromResponse, type ResponseErrorOptions } from './http/error-from-response.ts';
export type { ResponseHeaders } from './http/headers.ts';
export { parseRetryAfter } from './http/retry-after.ts';
export {
  SystemClock,
  systemClock,
  type Clock,
  type TimerHandle,
  type TimerOptions,
} from './clock.ts';
export { VirtualClock } from './virtual-clock.ts';
export type { Disposer, Subscribe } from './events.ts';
export {
  createServicePolicy,
  policyConfigDefaults,
  type PolicyConfig,
  type PolicyDependencies,
} from './policy-config.ts';
export type { Jitter } from './backoff/exponential-backoff.ts';
export type {
  ServicePolicy,
  ExecuteOptions,
  ExecuteFallback,
  AttemptContext,
  AttemptGate,
} from './service-policy.ts';
export type {
  CallContext,
  CircuitState,
  CircuitInfo,
  StateChangeReason,
  CallEventBase,
  RetryScheduledEvent,
  CallSucceededEvent,
  CallFailedEvent,
  CallRejectedEvent,
  StateChangedEvent,
  CircuitStoreErrorEvent,
  HealthProbeEvent,
} from './policy-events.ts';
export {
  InMemoryCircuitStateStore,
  type CircuitSnapshot,
  type CircuitStateStore,
  type TrialPermits,
} from './breaker/state-store.ts';
export {
  HealthChecker,
  type HealthCheckConfig,
  type HealthCheckDependencies,
  type HealthProbe,
  type HealthRegistrationOptions,
  type ServiceHealth,
} from './health-checker.ts';
export type { ProvesRecoveryFrom } from './circuit-breaker.ts';
export {
  withFallback,
  type Alternative,
  type FallbackOptions,
  type FallbackResult,
} from './fallback.ts';
