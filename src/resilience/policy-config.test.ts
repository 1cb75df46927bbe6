import { describe, expect, it } from 'vitest';
import { REJECTED } from './circuit-breaker.ts';
import {
  isBulkheadRejectedError,
  PermanentServiceError,
  TransientServiceError,
  type TimeoutError,
} from './errors.ts';
import { createServicePolicy, type PolicyConfig } from './policy-config.ts';
import type { RetryScheduledEvent, StateChangedEvent } from './policy-events.ts';
import { VirtualClock } from './virtual-clock.ts';
import { partsOf } from './service-policy.ts';

const seed: PolicyConfig = {
  retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2 },
  circuit_breaker: { failure_threshold: 2, recovery_timeout: 10 },
};
const fail = async (): Promise<never> => {
  throw new TransientServiceError('503', { service: 's' });
};

async function settle(clock: VirtualClock, promise: Promise<unknown>): Promise<unknown> {
  let done = false;
  const outcome = promise.then(
    (v) => v,
    (e: unknown) => e,
  );
  void outcome.then(() => (done = true));
  await clock.runUntil(() => done);
  return outcome;
}

describe('createServicePolicy', () => {
  it('reads seconds, snake_case names, and the injected random() for jitter (default full)', async () => {
    const clock = new VirtualClock();
    const policy = createServicePolicy(
      'tts',
      { ...seed, retry: { ...seed.retry, max_delay: 8 } },
      { clock, random: () => 0.5 },
    );
    const delays: number[] = [];
    policy.onRetryScheduled((e: RetryScheduledEvent) => delays.push(e.delayMs));
    await settle(clock, policy.execute(fail));
    expect(policy.service).toBe('tts');
    expect(partsOf(policy).clock).toBe(clock);
    expect(partsOf(policy).retry.maxRetries).toBe(3);
    expect(delays).toEqual([2_500, 4_000, 4_000]); // 0.5 · min(8 s, 5 s · 2^n)
  });

  it('maps the breaker settings: threshold, recovery timeout, half-open calls', async () => {
    const clock = new VirtualClock();
    const policy = createServicePolicy(
      'tts',
      { ...seed, circuit_breaker: { ...seed.circuit_breaker, half_open_max_calls: 2 } },
      { clock },
    );
    partsOf(policy).breaker.recordFailure(partsOf(policy).breaker.tryAcquire(), new Error('x'));
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
    partsOf(policy).breaker.recordFailure(partsOf(policy).breaker.tryAcquire(), new Error('x'));
    expect(partsOf(policy).breaker.state).toBe('OPEN');
    await clock.advance(9_999);
    expect(partsOf(policy).breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(1);
    expect([
      partsOf(policy).breaker.tryAcquire(),
      partsOf(policy).breaker.tryAcquire(),
    ]).not.toContain(REJECTED);
    expect(partsOf(policy).breaker.tryAcquire()).toBe(REJECTED);
  });

  it('maps failure_rate and slow_call windows from seconds', async () => {
    const clock = new VirtualClock();
    const policy = createServicePolicy(
      'llm',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: {
          failure_threshold: 100,
          recovery_timeout: 10,
          slow_call: { duration: 2, rate_threshold: 0.5, window: 60, minimum_calls: 2 },
          failure_rate: { threshold: 0.9, window: 60, minimum_calls: 100 },
        },
      },
      { clock },
    );
    const changes: StateChangedEvent[] = [];
    policy.onStateChanged((e) => changes.push(e));
    const slow = async (): Promise<string> => {
      await clock.sleep(2_000);
      return 'late';
    };
    expect(
      await settle(
        clock,
        policy.execute(async () => 'fast'),
      ),
    ).toBe('fast');
    expect(await settle(clock, policy.execute(slow))).toBe('late');
    expect(changes).toMatchObject([{ to: 'OPEN', reason: 'slow_call_rate' }]);
  });

  it('maps attempt and total timeouts from seconds', async () => {
    const clock = new VirtualClock();
    const start = clock.now();
    const policy = createServicePolicy(
      'llm',
      { ...seed, timeout: { attempt: 2, total: 3 } },
      { clock },
    );
    const errors: TimeoutError[] = [];
    let settledAt = 0;
    void policy
      .execute(() => new Promise<never>(() => undefined))
      .catch((e: TimeoutError) => {
        errors.push(e);
        settledAt = clock.now();
      });
    await clock.advance(60_000);
    expect(errors.map((e) => e.scope)).toEqual(['total']);
    expect(settledAt - start).toBe(3_000);
  });

  it('maps the bulkhead', async () => {
    const policy = createServicePolicy('tts', {
      ...seed,
      bulkhead: { max_concurrent: 1, max_queue: 0 },
    });
    const busy = policy.execute(() => new Promise<void>((resolve) => setImmediate(resolve)));
    const refused = await policy.execute(async () => undefined).catch((e: unknown) => e);
    expect(isBulkheadRejectedError(refused)).toBe(true);
    await busy;
  });

  it('builds a retry budget from its settings, or none with budget: false', () => {
    const clock = new VirtualClock();
    const withBudget = createServicePolicy(
      'tts',
      { ...seed, retry: { ...seed.retry, budget: { max_tokens: 7, token_ratio: 0.2 } } },
      { clock },
    );
    expect(partsOf(withBudget).retry.budget?.tokens).toBe(7);
    const defaults = createServicePolicy('tts', seed, { clock });
    expect(partsOf(defaults).retry.budget?.tokens).toBe(20);
    const none = createServicePolicy('tts', { ...seed, retry: { ...seed.retry, budget: false } });
    expect(partsOf(none).retry.budget).toBeUndefined();
  });

  it('takes the classifier: should_retry says which errors are retried', async () => {
    const clock = new VirtualClock();
    const retried: string[] = [];
    const policy = createServicePolicy(
      'quotes',
      {
        ...seed,
        // a 404 from this service is a lag in its replication: worth trying again
        retry: { ...seed.retry, should_retry: (error) => (error as Error).message === '404' },
      },
      { clock },
    );
    policy.onRetryScheduled((e) => retried.push(e.error.message));
    const lagging = new PermanentServiceError('404', { service: 'quotes', scope: 'request' });
    await settle(
      clock,
      policy.execute(() => Promise.reject(lagging)),
    );
    await settle(clock, policy.execute(fail));
    expect(retried).toEqual(['404', '404', '404']);
  });

  it('takes the classifier: is_failure says which failed calls count against the service', async () => {
    const clock = new VirtualClock();
    const policy = createServicePolicy(
      'quotes',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: {
          failure_threshold: 1,
          recovery_timeout: 10,
          is_failure: (error) => (error as { status?: number }).status !== 503,
        },
      },
      { clock },
    );
    const busy = new TransientServiceError('503', { service: 'quotes', status: 503 });
    await settle(
      clock,
      policy.execute(() => Promise.reject(busy)),
    );
    expect(policy.state).toBe('CLOSED');
    const broken = new TransientServiceError('500', { service: 'quotes', status: 500 });
    await settle(
      clock,
      policy.execute(() => Promise.reject(broken)),
    );
    expect(policy.state).toBe('OPEN');
  });

  it('reads half_open_timeout in seconds: a trial out longer reopens the circuit', async () => {
    const clock = new VirtualClock();
    const policy = createServicePolicy(
      'quotes',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 10, half_open_timeout: 3 },
      },
      { clock },
    );
    await settle(clock, policy.execute(fail));
    await clock.advance(10_000);
    void policy.execute(() => new Promise<never>(() => undefined)).catch(() => undefined);
    await clock.advance(2_999);
    expect(policy.state).toBe('HALF_OPEN');
    await clock.advance(1);
    expect(policy.circuit()).toMatchObject({ state: 'OPEN', reason: 'probe_timeout' });
  });
});
