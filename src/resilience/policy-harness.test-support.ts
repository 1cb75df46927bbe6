import { expect } from 'vitest';
import { TransientServiceError } from './errors.ts';
import type {
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  RetryScheduledEvent,
} from './policy-events.ts';
import { partsOf, ServicePolicy, type ServicePolicyOptions } from './service-policy.ts';
import { VirtualClock } from './virtual-clock.ts';

/** A policy for service `tts` on a virtual clock (3 retries, 5 s ×2, no jitter; breaker 2 / 10 s), its events, and `drive`. */
export function setup(overrides: Partial<ServicePolicyOptions> = {}) {
  const clock = new VirtualClock();
  const policy = new ServicePolicy({
    service: 'tts',
    clock,
    retry: { maxRetries: 3, initialDelayMs: 5_000, backoffFactor: 2, jitter: 'none' },
    circuitBreaker: { failureThreshold: 2, recoveryTimeoutMs: 10_000 },
    ...overrides,
  });
  const events = {
    retries: [] as RetryScheduledEvent[],
    succeeded: [] as CallSucceededEvent[],
    failed: [] as CallFailedEvent[],
    rejected: [] as CallRejectedEvent[],
  };
  policy.onRetryScheduled((e) => events.retries.push(e));
  policy.onCallSucceeded((e) => events.succeeded.push(e));
  policy.onCallFailed((e) => events.failed.push(e));
  policy.onCallRejected((e) => events.rejected.push(e));
  /** Runs the clock until `promise` settles; returns the value or the error. */
  async function drive<T>(promise: Promise<T>): Promise<T | unknown> {
    let done = false;
    const outcome = promise.then(
      (v) => v,
      (e: unknown) => e,
    );
    void outcome.then(() => (done = true));
    expect(await clock.runUntil(() => done)).toBe(true);
    return outcome;
  }
  /** Opens the breaker the way failed calls do (not by hand: a manual open is held). */
  function trip(): void {
    const failure = new TransientServiceError('503', { service: 'tts' });
    while (partsOf(policy).breaker.state !== 'OPEN') {
      partsOf(policy).breaker.recordFailure(partsOf(policy).breaker.tryAcquire(), failure);
    }
  }
  return { clock, policy, events, drive, trip };
}
