import { systemClock, type Clock } from '../clock.ts';
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
  clock?: Clock;
}

export const breakerDefaults = Object.freeze({ halfOpenMaxCalls: 1 as number });

type ResolvedBreakerOptions = CircuitBreakerOptions &
  typeof breakerDefaults & { halfOpenTimeoutMs: number; clock: Clock };

/** The options with every default filled in (the half-open bound defaults to the recovery timeout). */
export function resolveBreakerOptions(options: CircuitBreakerOptions): ResolvedBreakerOptions {
  const resolved = { ...breakerDefaults, ...options };
  return {
    ...resolved,
    halfOpenTimeoutMs: resolved.halfOpenTimeoutMs ?? resolved.recoveryTimeoutMs,
    clock: resolved.clock ?? systemClock,
  };
}
