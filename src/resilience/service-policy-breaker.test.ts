import { describe, expect, it } from 'vitest';
import {
  isCircuitOpenError,
  isTimeoutError,
  PermanentServiceError,
  TransientServiceError,
} from './errors.ts';
import { setup } from './policy-harness.test-support.ts';
import { partsOf, ServicePolicy } from './service-policy.ts';
import { VirtualClock } from './virtual-clock.ts';

const HOUR = 3_600_000;
const unavailable = (retryAfterMs?: number): TransientServiceError =>
  new TransientServiceError('503 Service Unavailable', {
    service: 'tts',
    status: 503,
    retryAfterMs,
  });

describe('what the breaker learns from a call', () => {
  it('slow-call detection measures attempts, not the backoff sleeps between them', async () => {
    const { clock, policy, drive } = setup({
      circuitBreaker: {
        failureThreshold: 100,
        recoveryTimeoutMs: 10_000,
        slowCall: { durationMs: 2_000, rateThreshold: 0.5, windowMs: 60_000, minimumCalls: 2 },
      },
    });
    const fastAttemptsWithOneRetry = async ({ attempt }: { attempt: number }) => {
      if (attempt === 0) throw unavailable();
      return 'ok';
    };
    await drive(policy.execute(fastAttemptsWithOneRetry)); // each call: 0 ms, 5 s sleep, 0 ms
    await drive(policy.execute(fastAttemptsWithOneRetry));
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
    const slowAttempt = () => clock.sleep(5_000).then(() => 'late');
    await drive(policy.execute(slowAttempt));
    await drive(policy.execute(slowAttempt));
    expect(partsOf(policy).breaker.state).toBe('OPEN'); // 2 slow of 4: a slow attempt still counts
  });

  it('a programming error is not retried and not counted against the service', async () => {
    const { policy, events, drive } = setup({
      circuitBreaker: { failureThreshold: 1, recoveryTimeoutMs: 10_000 },
    });
    let calls = 0;
    const bug = async (): Promise<never> => {
      calls++;
      throw new TypeError("Cannot read properties of undefined (reading 'voiceId')");
    };
    expect(await drive(policy.execute(bug))).toBeInstanceOf(TypeError);
    expect(calls).toBe(1);
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
    expect(events.retries).toEqual([]);
    expect(events.failed).toMatchObject([
      {
        gaveUp: 'not_retryable',
        error: { errorClass: 'programming_error', stack: expect.stringContaining('TypeError') },
      },
    ]);
  });

  it('a programming error in a half-open probe frees the probe slot', async () => {
    const { clock, policy, drive, trip } = setup();
    trip();
    await clock.advance(10_000);
    await drive(
      policy.execute(async () => {
        throw new RangeError('Invalid array length');
      }),
    );
    expect(partsOf(policy).breaker.state).toBe('HALF_OPEN');
    expect(await drive(policy.execute(async () => 'ok'))).toBe('ok');
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
  });

  it('a network TypeError (fetch failed, its cause has a code) is retried as before', async () => {
    const { policy, events, drive } = setup();
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await drive(
      policy.execute(async ({ attempt }) => {
        if (attempt === 0) throw new TypeError('fetch failed', { cause: refused });
        return 'ok';
      }),
    );
    expect(events.retries).toHaveLength(1);
  });
});

describe('a Retry-After longer than the retry policy sleeps', () => {
  it('opens the circuit until then: every caller waits, no request goes out', async () => {
    const { clock, policy, events, drive } = setup({
      retry: { maxRetries: 3, initialDelayMs: 5_000, backoffFactor: 2, maxDelayMs: 60_000 },
    });
    const start = clock.now();
    let calls = 0;
    const call = async (): Promise<string> => {
      calls++;
      if (calls === 1) throw unavailable(HOUR);
      return 'ok';
    };
    await drive(policy.execute(call));
    expect(events.failed).toMatchObject([{ gaveUp: 'retry_after_too_long', retryAfterMs: HOUR }]);
    expect(partsOf(policy).breaker.state).toBe('OPEN');
    expect(partsOf(policy).breaker.nextAttemptAt).toBe(start + HOUR);
    await clock.advance(60_000); // well past recovery_timeout: still no half-open
    const refused = await drive(policy.execute(call));
    expect(isCircuitOpenError(refused) && refused.retryAfterMs).toBe(HOUR - 60_000);
    expect(calls).toBe(1);
    await clock.advanceTo(start + HOUR);
    expect(await drive(policy.execute(call))).toBe('ok');
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
  });

  it('a permanent/service error that names its reset time opens the circuit until then', async () => {
    const { clock, policy, drive } = setup();
    const start = clock.now();
    const quota = new PermanentServiceError('429 DAILY', {
      service: 'tts',
      scope: 'service',
      retryAfterMs: HOUR,
    });
    await drive(
      policy.execute(async () => {
        throw quota;
      }),
    );
    expect(partsOf(policy).breaker.nextAttemptAt).toBe(start + HOUR);
  });
});

describe('a half-open probe answered with a long Retry-After', () => {
  it('opens the circuit until then, not for one recovery timeout', async () => {
    const { clock, policy, drive, trip } = setup();
    trip();
    await clock.advance(10_000);
    await drive(
      policy.execute(async () => {
        throw unavailable(HOUR);
      }),
    );
    expect(partsOf(policy).breaker.circuit()).toMatchObject({
      state: 'OPEN',
      reason: 'retry_after',
      openUntil: clock.now() + HOUR,
    });
  });
});

describe('a half-open probe that never answers', () => {
  it('is aborted when its bound passes, and the circuit reopens', async () => {
    const { clock, policy, events, trip } = setup();
    trip();
    await clock.advance(10_000);
    let probeSignal: AbortSignal | undefined;
    let outcome: unknown = 'pending';
    void policy
      .execute(({ signal }) => {
        probeSignal = signal;
        return new Promise<never>(() => undefined);
      })
      .catch((e: unknown) => (outcome = e));
    expect(partsOf(policy).breaker.state).toBe('HALF_OPEN');
    await clock.advance(10_000);
    expect(partsOf(policy).breaker.state).toBe('OPEN');
    expect(probeSignal?.aborted).toBe(true);
    expect(isTimeoutError(outcome)).toBe(true);
    expect(events.failed).toMatchObject([{ gaveUp: 'probe_failed' }]);
    expect(partsOf(policy).bulkhead.active).toBe(0);
  });

  it('is aborted too when it is a retry that landed in half-open', async () => {
    const { clock, policy, trip } = setup({
      circuitBreaker: { failureThreshold: 100, recoveryTimeoutMs: 2_000 },
    });
    const signals: AbortSignal[] = [];
    let outcome: unknown = 'pending';
    void policy
      .execute(({ signal, attempt }) => {
        signals.push(signal);
        if (attempt === 0) return Promise.reject(unavailable());
        return new Promise<never>(() => undefined);
      })
      .catch((e: unknown) => (outcome = e));
    await clock.advance(1_000); // sleeping 5 s before its retry
    trip(); // it half-opens at 3 s; the retry at 5 s is the probe
    await clock.advance(4_000);
    expect(partsOf(policy).breaker.state).toBe('HALF_OPEN');
    await clock.advance(2_000); // the probe's bound (recovery_timeout, 2 s)
    expect(partsOf(policy).breaker.circuit()).toMatchObject({
      state: 'OPEN',
      reason: 'probe_timeout',
    });
    expect(signals[1]?.aborted).toBe(true);
    expect(isTimeoutError(outcome)).toBe(true);
  });
});

describe('a half-open trial slower than the recovery timeout', () => {
  it('may take as long as its attempt deadline, and then closes the circuit', async () => {
    const clock = new VirtualClock();
    const policy = new ServicePolicy({
      service: 'OpenAI',
      clock,
      retry: { maxRetries: 0, initialDelayMs: 1_000, backoffFactor: 2 },
      circuitBreaker: { failureThreshold: 1, recoveryTimeoutMs: 10_000 },
      timeout: { attemptMs: 30_000 },
    });
    const quota = new PermanentServiceError('429 insufficient_quota', {
      service: 'OpenAI',
      scope: 'service',
    });
    await policy.execute(() => Promise.reject(quota)).catch(() => undefined);
    expect(policy.state).toBe('OPEN');
    await clock.advanceTo(policy.nextAttemptAt());
    // the quota was topped up: the service answers, but each answer takes 12 s
    const trial = policy.execute(({ signal }) => clock.sleep(12_000, signal).then(() => 'ok'));
    await clock.advance(12_000);
    expect(await trial).toBe('ok');
    expect(policy.state).toBe('CLOSED');
  });
});
