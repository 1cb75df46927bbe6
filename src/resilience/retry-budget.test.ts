import { describe, expect, it } from 'vitest';
import { TransientServiceError } from './errors.ts';
import { createServicePolicy, type PolicyConfig } from './policy-config.ts';
import type { CallFailedEvent } from './policy-events.ts';
import { RetryBudget } from './retry-budget.ts';
import { VirtualClock } from './virtual-clock.ts';
import { partsOf } from './service-policy.ts';

describe('RetryBudget', () => {
  it('starts full and is sized so the first few failing calls retry fully', () => {
    const budget = new RetryBudget({ clock: new VirtualClock() });
    expect(budget.tokens).toBe(20);
    let granted = 0;
    for (let call = 0; call < 2; call++) {
      budget.recordCall();
      for (let r = 0; r < 3; r++) if (budget.tryWithdraw()) granted++;
    }
    expect(granted).toBe(6);
  });

  it('earns token_ratio per call and never holds more than max_tokens', () => {
    const budget = new RetryBudget({ maxTokens: 5, tokenRatio: 0.5, refillPerSecond: 0 });
    for (let i = 0; i < 5; i++) expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    budget.recordCall();
    expect(budget.tryWithdraw()).toBe(false);
    budget.recordCall();
    expect(budget.tryWithdraw()).toBe(true);
    for (let i = 0; i < 100; i++) budget.recordCall();
    expect(budget.tokens).toBe(5);
  });

  it('refills with time so a quiet service can always retry', async () => {
    const clock = new VirtualClock();
    const budget = new RetryBudget({ maxTokens: 3, refillPerSecond: 0.5, clock });
    while (budget.tryWithdraw());
    expect(budget.tokens).toBe(0);
    await clock.advance(1_999);
    expect(budget.tryWithdraw()).toBe(false);
    await clock.advance(1);
    expect(budget.tryWithdraw()).toBe(true);
    await clock.advance(3_600_000);
    expect(budget.tokens).toBe(3);
  });
});

/** The seed's retry settings; the breaker never opens, so only the budget limits retries. */
function outagePolicy(clock: VirtualClock, budget?: PolicyConfig['retry']['budget']) {
  const policy = createServicePolicy(
    'tts',
    {
      retry: { max_retries: 3, initial_delay: 5, backoff_factor: 2, jitter: 'none', budget },
      circuit_breaker: { failure_threshold: 1_000_000, recovery_timeout: 10 },
    },
    { clock },
  );
  const stats = { calls: 0, retries: 0, failed: [] as CallFailedEvent[] };
  policy.onRetryScheduled(() => stats.retries++);
  policy.onCallFailed((e) => stats.failed.push(e));
  const down = async (): Promise<never> => {
    throw new TransientServiceError('503 Service Unavailable', { service: 'tts', status: 503 });
  };
  const call = (): Promise<void> => {
    stats.calls++;
    return policy.execute(down, { context: { contact: stats.calls } }).then(
      () => undefined,
      () => undefined,
    );
  };
  return { policy, stats, call };
}

describe('retry budget in a service policy', () => {
  it('under a sustained outage, retries fall to about 20% of calls', async () => {
    const clock = new VirtualClock();
    const { policy, stats, call } = outagePolicy(clock);
    const settled: Array<Promise<void>> = [];
    for (let i = 0; i < 1_000; i++) {
      settled.push(call()); // 10 calls a second
      await clock.advance(100);
    }
    let done = false;
    void Promise.all(settled).then(() => (done = true));
    expect(await clock.runUntil(() => done)).toBe(true);
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
    expect(stats.failed).toHaveLength(1_000);
    const ratio = stats.retries / stats.calls;
    expect(ratio).toBeGreaterThanOrEqual(0.18);
    expect(ratio).toBeLessThanOrEqual(0.3);
    const gaveUp = stats.failed.map((e) => e.gaveUp);
    expect(gaveUp.filter((g) => g === 'retry_budget_exhausted').length).toBeGreaterThan(700);
    // the bucket starts full: each of the first 20 calls got at least its first retry
    const first = stats.failed.filter((e) => Number(e.context.contact) <= 20);
    expect(first).toHaveLength(20);
    expect(first.every((e) => e.retryCount >= 1)).toBe(true);
  });

  it('at low volume every failing call gets all 3 retries', async () => {
    const clock = new VirtualClock();
    const { stats, call } = outagePolicy(clock);
    for (let contact = 0; contact < 10; contact++) {
      let done = false;
      void call().then(() => (done = true));
      expect(await clock.runUntil(() => done)).toBe(true);
      await clock.advance(1_000);
    }
    expect(stats.failed.map((e) => e.retryCount)).toEqual(Array(10).fill(3));
    expect(stats.failed.every((e) => e.gaveUp === 'retries_exhausted')).toBe(true);
    expect(stats.retries).toBe(30);
  });

  it('budget: false lets every call retry fully, even under an outage', async () => {
    const clock = new VirtualClock();
    const { policy, stats, call } = outagePolicy(clock, false);
    expect(partsOf(policy).retry.budget).toBeUndefined();
    const settled: Array<Promise<void>> = [];
    for (let i = 0; i < 200; i++) {
      settled.push(call());
      await clock.advance(100);
    }
    let done = false;
    void Promise.all(settled).then(() => (done = true));
    expect(await clock.runUntil(() => done)).toBe(true);
    expect(stats.retries).toBe(600);
    expect(stats.failed.every((e) => e.gaveUp === 'retries_exhausted')).toBe(true);
  });
});
