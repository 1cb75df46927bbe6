import { systemClock, type Clock } from '../clock.ts';
import { isPermanentError, isProgrammingError, isTransientError } from '../errors.ts';
import type { FailureRateOptions, SlowCallOptions } from './rate-trip.ts';

export interface CircuitBreakerOptions {
  service: string;
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before probe calls are let through. */
  recoveryTimeoutMs: number;
  /** Probe calls let through at once in half-open; that many successes close it. */
  halfOpenMaxCalls?: number;
  /** How long half-open probes may stay out before the circuit reopens (default: recoveryTimeoutMs). */
  halfOpenTimeoutMs?: number | undefined;
  failureRate?: FailureRateOptions | undefined;
  slowCall?: SlowCallOptions | undefined;
  /** Whether a failed call counts against the service (default: `countsAgainstService`). */
  isFailure?: ((error: unknown) => boolean) | undefined;
  clock?: Clock;
}

/**
 * Every failure but a bad request (`permanent/request`), a service at its cap of calls at once
 * (`transient/concurrency`: it works, it is busy) and a bug in the caller's code.
 */
export function countsAgainstService(error: unknown): boolean {
  if (isProgrammingError(error)) return false;
  if (isPermanentError(error) && error.scope === 'request') return false;
  return !(isTransientError(error) && error.concurrency);
}

export const breakerDefaults = Object.freeze({
  halfOpenMaxCalls: 1 as number,
  isFailure: countsAgainstService,
});

type ResolvedBreakerOptions = CircuitBreakerOptions &
  typeof breakerDefaults & { halfOpenTimeoutMs: number; clock: Clock };

/** The options with every default filled in (the half-open bound defaults to the recovery timeout). */
export function resolveBreakerOptions(options: CircuitBreakerOptions): ResolvedBreakerOptions {
  const resolved = { ...breakerDefaults, ...options };
  return {
    ...resolved,
    halfOpenTimeoutMs: resolved.halfOpenTimeoutMs ?? resolved.recoveryTimeoutMs,
    isFailure: resolved.isFailure ?? breakerDefaults.isFailure,
    clock: resolved.clock ?? systemClock,
  };
}
