import { describe, expect, it } from 'vitest';
import { PermanentServiceError, TransientServiceError, type ServiceError } from './errors.ts';
import { setup } from './policy-harness.test-support.ts';
import { partsOf } from './service-policy.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const unavailable = (retryAfterMs?: number): TransientServiceError =>
  new TransientServiceError('503 Service Unavailable', {
    service: 'tts',
    status: 503,
    retryAfterMs,
  });

describe('ServicePolicy retries', () => {
  it('retries transient errors with backoff and counts the call once', async () => {
    const { clock, policy, events, drive } = setup();
    const start = clock.now();
    const at: number[] = [];
    const value = await drive(
      policy.execute(async ({ attempt }) => {
        at.push(clock.now() - start);
        if (attempt < 2) throw unavailable();
        return attempt;
      }),
    );
    expect(value).toBe(2);
    expect(at).toEqual([0, 5_000, 15_000]);
    expect(events.retries.map((e) => [e.retryCount, e.delayMs, e.error.errorClass])).toEqual([
      [1, 5_000, 'transient'],
      [2, 10_000, 'transient'],
    ]);
    expect(events.succeeded).toMatchObject([{ retryCount: 2, durationMs: 15_000 }]);
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('gives up after max_retries, reports the error, and the breaker counts one failure', async () => {
    const { policy, events, drive } = setup({
      circuitBreaker: { failureThreshold: 3, recoveryTimeoutMs: 10_000 },
    });
    let calls = 0;
    const error = await drive(
      policy.execute(
        async () => {
          calls++;
          throw unavailable();
        },
        { context: { contactId: 'Contact-9' } },
      ),
    );
    expect(calls).toBe(4);
    expect((error as ServiceError).message).toBe('503 Service Unavailable');
    expect(events.failed).toMatchObject([
      {
        service: 'tts',
        retryCount: 3,
        gaveUp: 'retries_exhausted',
        circuitState: 'CLOSED',
        context: { contactId: 'Contact-9' },
        error: {
          errorClass: 'transient',
          name: 'TransientServiceError',
          message: '503 Service Unavailable',
          status: 503,
        },
      },
    ]);
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('a retryAfterMs hint is a floor on the next delay', async () => {
    const { clock, policy, events, drive } = setup();
    const start = clock.now();
    const at: number[] = [];
    await drive(
      policy.execute(async ({ attempt }) => {
        at.push(clock.now() - start);
        if (attempt === 0) throw unavailable(30_000);
        return 'ok';
      }),
    );
    expect(at).toEqual([0, 30_000]);
    expect(events.retries[0]?.delayMs).toBe(30_000);
  });

  it('a hint longer than the cap is surfaced, not slept on', async () => {
    const { clock, policy, events, drive } = setup({
      retry: { maxRetries: 3, initialDelayMs: 5_000, backoffFactor: 2, maxDelayMs: 60_000 },
    });
    let calls = 0;
    const start = clock.now();
    const error = await drive(
      policy.execute(async () => {
        calls++;
        throw unavailable(3_600_000);
      }),
    );
    expect(calls).toBe(1);
    expect(clock.now()).toBe(start);
    expect((error as ServiceError).retryAfterMs).toBe(3_600_000);
    expect(events.failed).toMatchObject([
      { gaveUp: 'retry_after_too_long', retryAfterMs: 3_600_000 },
    ]);
  });

  it('stops at once when the caller aborts mid-sleep, without counting a failure', async () => {
    const { clock, policy, events } = setup();
    const controller = new AbortController();
    let calls = 0;
    let outcome: unknown = 'pending';
    policy
      .execute(
        async () => {
          calls++;
          throw unavailable();
        },
        { signal: controller.signal },
      )
      .catch((e: unknown) => (outcome = e));
    await clock.advance(2_000); // inside the 5 s delay before the first retry
    expect(calls).toBe(1);
    const reason = new Error('contact hung up');
    controller.abort(reason);
    await tick(); // no clock movement needed
    expect(outcome).toBe(reason);
    expect(calls).toBe(1);
    expect(events.failed).toMatchObject([{ gaveUp: 'aborted', retryCount: 1 }]);
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(0);
    expect(clock.pendingTimers).toBe(0); // the retry delay's timer was cleared
  });

  it('stops retrying when another call opened the breaker while this one slept', async () => {
    const { clock, policy, events, drive } = setup({
      circuitBreaker: { failureThreshold: 100, recoveryTimeoutMs: 60_000 },
    });
    let slowCalls = 0;
    const sleeper = policy.execute(async () => {
      slowCalls++;
      throw unavailable();
    });
    await clock.advance(1_000); // the sleeper now waits 5 s before its first retry
    const badKey = new PermanentServiceError('401', { service: 'tts', scope: 'service' });
    await drive(
      policy.execute(async () => {
        throw badKey;
      }),
    );
    expect(partsOf(policy).breaker.state).toBe('OPEN');
    const error = await drive(sleeper);
    expect(slowCalls).toBe(1); // no attempt after the breaker opened
    expect((error as ServiceError).status).toBe(503);
    expect(events.failed.map((e) => e.gaveUp)).toEqual(['not_retryable', 'circuit_opened']);
    expect(clock.now() - events.failed[1]!.timestamp).toBe(0);
    expect(events.failed[1]!.timestamp - events.failed[0]!.timestamp).toBeLessThanOrEqual(4_000);
  });

  it('does not sleep at all when the breaker opened during the failed attempt', async () => {
    const { clock, policy, events, drive } = setup();
    let calls = 0;
    const start = clock.now();
    await drive(
      policy.execute(async () => {
        calls++;
        partsOf(policy).breaker.open(); // e.g. another worker's call, shared through the store
        throw unavailable();
      }),
    );
    expect(calls).toBe(1);
    expect(clock.now()).toBe(start);
    expect(events.retries).toEqual([]);
    expect(events.failed).toMatchObject([{ gaveUp: 'circuit_opened', circuitState: 'OPEN' }]);
  });

  it('a failed half-open probe is not retried and reopens the circuit', async () => {
    const { clock, policy, events, drive, trip } = setup();
    trip();
    await clock.advance(10_000);
    let calls = 0;
    await drive(
      policy.execute(async () => {
        calls++;
        throw unavailable();
      }),
    );
    expect(calls).toBe(1);
    expect(events.failed).toMatchObject([{ gaveUp: 'probe_failed', retryCount: 0 }]);
    expect(partsOf(policy).breaker.state).toBe('OPEN');
  });

  it('a retry that lands in half-open becomes the probe and is not retried again', async () => {
    const { clock, policy, events, drive, trip } = setup({
      circuitBreaker: { failureThreshold: 100, recoveryTimeoutMs: 2_000 },
    });
    let calls = 0;
    const call = policy.execute(async () => {
      calls++;
      throw unavailable();
    });
    await clock.advance(1_000); // the call sleeps 5 s before its first retry
    trip(); // other calls opened it; it half-opens at 3 s
    const error = await drive(call);
    expect((error as ServiceError).status).toBe(503);
    expect(calls).toBe(2); // the first attempt, then one probe
    expect(events.failed).toMatchObject([{ gaveUp: 'probe_failed', retryCount: 1 }]);
    expect(partsOf(policy).breaker.state).toBe('OPEN');
  });
});
