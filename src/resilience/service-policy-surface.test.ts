import { describe, expect, it } from 'vitest';
import { isPolicyDisposedError, PermanentServiceError, TransientServiceError } from './errors.ts';
import { InMemoryCircuitStateStore } from './breaker/state-store.ts';
import { setup } from './policy-harness.test-support.ts';
import { partsOf } from './service-policy.ts';

describe('ServicePolicy answers for its circuit', () => {
  it('state, nextAttemptAt(), circuit(), without reaching into the breaker', async () => {
    const { clock, policy, drive } = setup({
      retry: { maxRetries: 0, initialDelayMs: 0, backoffFactor: 2 },
    });
    expect(policy.state).toBe('CLOSED');
    expect(policy.nextAttemptAt()).toBe(clock.now());
    expect(policy.circuit()).toEqual({
      state: 'CLOSED',
      since: 0,
      reason: undefined,
      error: undefined,
      held: false,
      openUntil: undefined,
    });
    const down = new TransientServiceError('503', { service: 'tts', status: 503 });
    for (let i = 0; i < 2; i++) {
      await drive(
        policy.execute(async () => {
          throw down;
        }),
      );
    }
    const openedAt = clock.now();
    expect(policy.state).toBe('OPEN');
    expect(policy.nextAttemptAt()).toBe(openedAt + 10_000);
    expect(policy.circuit()).toMatchObject({
      state: 'OPEN',
      since: openedAt,
      reason: 'failure_threshold',
      error: { errorClass: 'transient', status: 503 },
      held: false,
    });
  });

  it('refuses() nothing while half-open with a trial slot free, and trialsWanted() says how many', async () => {
    const { clock, policy, drive } = setup({
      retry: { maxRetries: 0, initialDelayMs: 0, backoffFactor: 2 },
    });
    const down = new TransientServiceError('503', { service: 'tts', status: 503 });
    for (let i = 0; i < 2; i++) {
      await drive(
        policy.execute(async () => {
          throw down;
        }),
      );
    }
    expect(policy.refuses()).toBeDefined();
    expect(policy.trialsWanted()).toBe(0);
    await clock.advance(10_000);
    expect(policy.trialsWanted()).toBe(1);
    // a trial that ends without a verdict (its own request was bad) leaves the circuit half-open
    const bad = new PermanentServiceError('422', { service: 'tts', scope: 'request' });
    await drive(
      policy.execute(async () => {
        throw bad;
      }),
    );
    expect(policy.state).toBe('HALF_OPEN');
    expect(policy.refuses()).toBeUndefined();
    expect(policy.trialsWanted()).toBe(1);
    expect(policy.nextAttemptAt()).toBe(clock.now());
    expect(await policy.execute(async () => 'ok')).toBe('ok');
    expect(policy.state).toBe('CLOSED');
  });

  it('open() holds the circuit until reset()', async () => {
    const { clock, policy } = setup();
    policy.open();
    await clock.advance(60_000);
    expect(policy.circuit()).toMatchObject({ state: 'OPEN', reason: 'manual_open', held: true });
    await expect(policy.execute(async () => 'ok')).rejects.toMatchObject({
      code: 'E_CIRCUIT_OPEN',
    });
    policy.reset();
    expect(policy.state).toBe('CLOSED');
    expect(await policy.execute(async () => 'ok')).toBe('ok');
  });

  it('reports a failing state store through onStoreError', async () => {
    const { policy } = setup();
    const seen: string[] = [];
    policy.onStoreError((e) => seen.push(`${e.operation}: ${e.error.message}`));
    await partsOf(policy).breaker.attachStore({
      load: () => undefined,
      save: () => {
        throw new Error('disk full');
      },
    });
    policy.open();
    expect(seen).toEqual(['save: disk full']);
  });
});

describe('ServicePolicy.dispose()', () => {
  it('clears its deadline timers, ends the calls in flight and refuses later calls', async () => {
    const { clock, policy, events } = setup({ timeout: { attemptMs: 5_000, totalMs: 30_000 } });
    let outcome: unknown = 'pending';
    void policy
      .execute(() => new Promise<never>(() => undefined))
      .catch((e: unknown) => (outcome = e));
    expect(clock.pendingTimers).toBe(2);
    policy.dispose();
    expect(clock.pendingTimers).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(isPolicyDisposedError(outcome)).toBe(true);
    expect(events.failed).toMatchObject([{ gaveUp: 'aborted' }]);
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(0);
    const later = await policy.execute(async () => 'ok').catch((e: unknown) => e);
    expect(later).toMatchObject({ code: 'E_POLICY_DISPOSED', service: 'tts' });
    expect((later as Error).message).toMatch(/disposed/);
    policy.dispose(); // twice is harmless
  });

  it('[Symbol.dispose] disposes it too, and a call sleeping between retries makes no new attempt', async () => {
    const { clock, policy } = setup();
    let calls = 0;
    let outcome: unknown = 'pending';
    void policy
      .execute(async () => {
        calls++;
        throw new TransientServiceError('503', { service: 'tts' });
      })
      .catch((e: unknown) => (outcome = e));
    await clock.advance(1_000); // sleeping 5 s before the first retry
    policy[Symbol.dispose]();
    await clock.advance(60_000);
    expect(calls).toBe(1);
    expect(isPolicyDisposedError(outcome)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps its parts to itself: no breaker, bulkhead, retry or clock to reach through', () => {
    const { policy } = setup();
    for (const part of ['breaker', 'bulkhead', 'retry', 'clock'])
      expect(part in policy).toBe(false);
    expect(Object.keys(policy)).toEqual(['service']);
  });

  it('shares its circuit through a state store: another policy on the same store opens too', async () => {
    const { policy, drive } = setup({
      retry: { maxRetries: 0, initialDelayMs: 0, backoffFactor: 2 },
    });
    const other = setup();
    const store = new InMemoryCircuitStateStore();
    await policy.attachStore(store);
    const detach = await other.policy.attachStore(store);
    for (let i = 0; i < 2; i++) {
      await drive(
        policy.execute(() => Promise.reject(new TransientServiceError('503', { service: 'tts' }))),
      );
    }
    expect(other.policy.circuit()).toMatchObject({ state: 'OPEN', reason: 'failure_threshold' });
    detach();
  });
});
