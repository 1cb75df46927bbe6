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

/**
 * Admits each attempt (a fleet-wide concurrency cap or rate limit, say): waits until it may
 * start and resolves with the function that ends it. Rejects with the signal's reason when
 * the signal aborts. Its wait counts against the call's total deadline, not the attempt's.
 */
export interface AttemptGate {
  enter(signal: AbortSignal | undefined): Promise<() => void>;
}

export interface ServicePolicyOptions {
  /** The service's name, as events and errors will carry it. */
  service: string;
  retry: RetryOptions;
  circuitBreaker: Omit<CircuitBreakerOptions, 'service' | 'clock'>;
  timeout?: TimeoutOptions;
  bulkhead?: Omit<BulkheadOptions, 'service'>;
  /** Admits each attempt (default: every attempt goes at once). */
  attemptGate?: AttemptGate | undefined;
  clock?: Clock;
}

/**
 * What a call answers instead of failing: a `value`, or what `run` makes of the error. `when`
 * says which errors fall back (default: every error but a cancellation by the caller and a
 * programming error). The failure is still reported (`onCallFailed`) and counted.
 */
export type ExecuteFallback<F> = {
  when?: ((error: unknown) => boolean) | undefined;
} & ({ value: F; run?: never } | { run: (error: unknown) => F | Promise<F>; value?: never });

export interface ExecuteOptions<F = never> {
  /** Cancels the call: waiting, attempts and retry delays. */
  signal?: AbortSignal | undefined;
  /** Carried into every event of this call (e.g. `{ contactId }`). */
  context?: CallContext | undefined;
  fallback?: ExecuteFallback<F> | undefined;
}
