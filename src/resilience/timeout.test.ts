import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isTimeoutError, PermanentServiceError, type TimeoutError } from './errors.ts';
import type { CallFailedEvent } from './policy-events.ts';
import { partsOf, ServicePolicy, type TimeoutOptions } from './service-policy.ts';
import { VirtualClock } from './virtual-clock.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(timeout: TimeoutOptions, maxRetries = 0) {
  const clock = new VirtualClock();
  const policy = new ServicePolicy({
    service: 'llm',
    clock,
    retry: { maxRetries, initialDelayMs: 1_000, backoffFactor: 2, jitter: 'none' },
    circuitBreaker: { failureThreshold: 100, recoveryTimeoutMs: 10_000 },
    timeout,
  });
  const failed: CallFailedEvent[] = [];
  policy.onCallFailed((e) => failed.push(e));
  return { clock, policy, failed };
}

/** A callee that never answers; records the signal it was given and when it aborted. */
function hanging(clock: VirtualClock, log: Array<{ signal: AbortSignal; abortedAt?: number }>) {
  return ({ signal }: { signal: AbortSignal }): Promise<never> => {
    const entry: { signal: AbortSignal; abortedAt?: number } = { signal };
    log.push(entry);
    signal.addEventListener('abort', () => (entry.abortedAt = clock.now()));
    return new Promise<never>(() => undefined);
  };
}

describe('timeouts', () => {
  it('the attempt signal aborts when the attempt deadline passes; the next attempt gets a fresh one', async () => {
    const { clock, policy, failed } = setup({ attemptMs: 2_000 }, 1);
    const start = clock.now();
    const log: Array<{ signal: AbortSignal; abortedAt?: number }> = [];
    let outcome: unknown;
    void policy.execute(hanging(clock, log)).catch((e: unknown) => (outcome = e));
    await clock.advance(2_000);
    expect(log).toHaveLength(1);
    expect(log[0]!.abortedAt).toBe(start + 2_000);
    const reason = log[0]!.signal.reason as TimeoutError;
    expect(isTimeoutError(reason) && reason.scope).toBe('attempt');
    await clock.advance(1_000); // retry delay
    expect(log).toHaveLength(2);
    expect(log[1]!.signal.aborted).toBe(false);
    await clock.advance(2_000);
    expect(isTimeoutError(outcome)).toBe(true);
    expect(failed).toMatchObject([
      { retryCount: 1, gaveUp: 'retries_exhausted', error: { errorClass: 'timeout' } },
    ]);
  });

  it('the attempt signal aborts when the total deadline passes, and the call is not retried', async () => {
    const { clock, policy, failed } = setup({ attemptMs: 10_000, totalMs: 3_000 }, 3);
    const start = clock.now();
    const log: Array<{ signal: AbortSignal; abortedAt?: number }> = [];
    let outcome: unknown;
    void policy.execute(hanging(clock, log)).catch((e: unknown) => (outcome = e));
    await clock.advance(60_000);
    expect(log).toHaveLength(1);
    expect(log[0]!.abortedAt).toBe(start + 3_000);
    expect((log[0]!.signal.reason as TimeoutError).scope).toBe('total');
    expect((outcome as TimeoutError).scope).toBe('total');
    expect(failed).toMatchObject([{ gaveUp: 'not_retryable', durationMs: 3_000 }]);
  });

  it("the attempt signal aborts with the caller's reason when the caller aborts", async () => {
    const { clock, policy, failed } = setup({ attemptMs: 10_000, totalMs: 30_000 });
    const controller = new AbortController();
    const log: Array<{ signal: AbortSignal; abortedAt?: number }> = [];
    let outcome: unknown;
    void policy
      .execute(hanging(clock, log), { signal: controller.signal })
      .catch((e: unknown) => (outcome = e));
    await clock.advance(1_500);
    const reason = new Error('campaign paused');
    controller.abort(reason);
    await tick();
    expect(log[0]!.signal.reason).toBe(reason);
    expect(outcome).toBe(reason);
    expect(failed).toMatchObject([{ gaveUp: 'aborted' }]);
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('a callee that ignores its signal still cannot hold the caller past the deadline', async () => {
    const { clock, policy } = setup({ attemptMs: 2_000 });
    const start = clock.now();
    let settledAt: number | undefined;
    void policy
      .execute(() => new Promise<never>(() => undefined))
      .catch(() => (settledAt = clock.now()));
    await clock.advance(10_000);
    expect(settledAt).toBe(start + 2_000);
  });

  it('the total deadline also cuts a retry delay short', async () => {
    const { clock, policy, failed } = setup({ totalMs: 2_500 }, 3);
    const start = clock.now();
    let calls = 0;
    let settledAt: number | undefined;
    let outcome: unknown;
    void policy
      .execute(async () => {
        calls++;
        throw new Error('ECONNRESET');
      })
      .catch((e: unknown) => {
        settledAt = clock.now();
        outcome = e;
      });
    await clock.advance(60_000);
    expect(calls).toBe(2); // at 0 and 1 s; the 2 s delay after that is cut at 2.5 s
    expect(settledAt).toBe(start + 2_500);
    expect((outcome as TimeoutError).scope).toBe('total');
    expect(failed).toMatchObject([{ gaveUp: 'not_retryable', retryCount: 2 }]);
  });

  it('a caller signal that is already aborted never reaches fn', async () => {
    const { policy } = setup({ attemptMs: 1_000 });
    let calls = 0;
    const reason = new Error('too late');
    await expect(
      policy.execute(async () => calls++, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    expect(calls).toBe(0);
  });

  it('no leak after 100k calls: no listener on the caller signal, empty deadline queues, bounded timers', async () => {
    const attemptMs = 5_000;
    const totalMs = 30_000;
    const { clock, policy } = setup({ attemptMs, totalMs });
    const controller = new AbortController();
    const signal = controller.signal;
    const start = clock.now();
    let maxPending = 0;
    let failures = 0;
    for (let batch = 0; batch < 100; batch++) {
      for (let i = 0; i < 1_000; i++) {
        try {
          await policy.execute(
            i % 10 === 0
              ? async () => {
                  throw new PermanentServiceError('bad row', { service: 'llm', scope: 'request' });
                }
              : async () => 1,
            { signal },
          );
        } catch {
          failures++;
        }
      }
      maxPending = Math.max(maxPending, clock.pendingTimers);
      await clock.advance(1); // spread the deadlines over 100 ms
    }
    expect(failures).toBe(10_000);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(maxPending).toBeLessThanOrEqual(2); // one timer per deadline queue, not one per call
    // Each queue's timer was armed for its first entry; when it fires, a queue that still held
    // a later entry (deadlines run up to 100 ms later) would re-arm: no timer may remain.
    await clock.advanceTo(start + attemptMs);
    expect(clock.pendingTimers).toBe(1); // only the total queue's timer
    await clock.advanceTo(start + totalMs);
    expect(clock.pendingTimers).toBe(0);
    // and the deadlines still work afterwards
    let outcome: unknown;
    void policy
      .execute(() => new Promise<never>(() => undefined), { signal })
      .catch((e: unknown) => (outcome = e));
    await clock.advance(attemptMs);
    expect((outcome as TimeoutError).scope).toBe('attempt');
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
