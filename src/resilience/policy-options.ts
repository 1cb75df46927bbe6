import type { BulkheadOptions } from './bulkhead.ts';
import type { CircuitBreakerOptions } from './breaker/breaker-options.ts';
import type { Clock } from './clock.ts';
import type { CallContext } from './policy-events.ts';
import type { RetryOptions } from './retry.ts';

export interface TimeoutOptions {
  /** Deadline of each attempt. */
  attemptMs?: number | undefined;
  /** Deadline of the whole call, retries and their delays included. */
  totalMs?: number | undefined;
}

export interface ServicePolicyOptions {
  /** The service's name, as events and errors will carry it. */
  service: string;
  retry: RetryOptions;
  circuitBreaker: Omit<CircuitBreakerOptions, 'service' | 'clock'>;
  timeout?: TimeoutOptions;
  bulkhead?: Omit<BulkheadOptions, 'service'>;
  clock?: Clock;
}

export interface ExecuteOptions {
  /** Cancels the call: waiting, attempts and retry delays. */
  signal?: AbortSignal | undefined;
  /** Carried into every event of this call (e.g. `{ contactId }`). */
  context?: CallContext | undefined;
}
