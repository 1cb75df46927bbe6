import { describe, expect, it, onTestFinished } from 'vitest';
import type { AttemptContext } from './call-scope.ts';
import { isCircuitOpenError, PermanentServiceError } from './errors.ts';
import { onListenerError } from './events.ts';
import { setup } from './policy-harness.test-support.ts';
import { partsOf } from './service-policy.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('ServicePolicy', () => {
  it('returns the value and reports the success with the caller context', async () => {
    const { policy, events } = setup();
    const seen: AttemptContext[] = [];
    const value = await policy.execute(
      async (attempt) => {
        seen.push(attempt);
        return 'audio';
      },
      { context: { contactId: 'Contact-1' } },
    );
    expect(value).toBe('audio');
    expect(seen[0]?.attempt).toBe(0);
    expect(seen[0]?.context).toEqual({ contactId: 'Contact-1' });
    expect(seen[0]?.signal).toBeInstanceOf(AbortSignal);
    expect(events.succeeded).toMatchObject([
      {
        service: 'tts',
        retryCount: 0,
        circuitState: 'CLOSED',
        context: { contactId: 'Contact-1' },
      },
    ]);
  });

  it('a permanent/service error is not retried and opens the breaker at once', async () => {
    const { policy, events, drive } = setup({
      circuitBreaker: { failureThreshold: 100, recoveryTimeoutMs: 10_000 },
    });
    const badKey = new PermanentServiceError('401 invalid_api_key', {
      service: 'tts',
      scope: 'service',
    });
    let calls = 0;
    const error = await drive(
      policy.execute(async () => {
        calls++;
        throw badKey;
      }),
    );
    expect(error).toBe(badKey);
    expect(calls).toBe(1);
    expect(partsOf(policy).breaker.state).toBe('OPEN');
    expect(events.failed).toMatchObject([
      { gaveUp: 'not_retryable', retryCount: 0, circuitState: 'OPEN' },
    ]);
  });

  it('a permanent/request error fails the call but does not count against the service', async () => {
    const { policy, drive } = setup({
      circuitBreaker: { failureThreshold: 1, recoveryTimeoutMs: 10_000 },
    });
    let calls = 0;
    for (let i = 0; i < 3; i++) {
      await drive(
        policy.execute(async () => {
          calls++;
          throw new PermanentServiceError('21211 invalid number', {
            service: 'tel',
            scope: 'request',
          });
        }),
      );
    }
    expect(calls).toBe(3);
    expect(partsOf(policy).breaker.state).toBe('CLOSED');
    expect(partsOf(policy).breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('an open circuit refuses at once with CircuitOpenError and a CallRejectedEvent', async () => {
    const { clock, policy, events, trip } = setup();
    trip();
    await clock.advance(4_000);
    let calls = 0;
    const error = await policy
      .execute(async () => calls++, { context: { contactId: 'Contact-3' } })
      .catch((e: unknown) => e);
    expect(calls).toBe(0);
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({ service: 'tts', retryAfterMs: 6_000 });
    expect(events.rejected).toMatchObject([
      {
        reason: 'circuit_open',
        circuitState: 'OPEN',
        retryAfterMs: 6_000,
        context: { contactId: 'Contact-3' },
      },
    ]);
    expect(partsOf(policy).bulkhead.active).toBe(0);
  });

  it('refusals arrive as rejected promises, never as synchronous throws', async () => {
    const { policy } = setup({ bulkhead: { maxConcurrent: 1, maxQueue: 0 } });
    const hold = policy.execute(() => new Promise<void>((resolve) => setImmediate(resolve)));
    let full: Promise<unknown> | undefined;
    expect(() => (full = policy.execute(async () => undefined))).not.toThrow();
    await expect(full).rejects.toMatchObject({ code: 'E_BULKHEAD_REJECTED' });
    await hold;
    partsOf(policy).breaker.open();
    let open: Promise<unknown> | undefined;
    expect(() => (open = policy.execute(async () => undefined))).not.toThrow();
    await expect(open).rejects.toMatchObject({ code: 'E_CIRCUIT_OPEN' });
    expect(partsOf(policy).bulkhead.active).toBe(0);
  });

  it.each([1, 3])(
    'half-open with %i probe(s): of 100 concurrent callers exactly that many reach fn, the rest fail fast',
    async (probes) => {
      const { clock, policy, events, trip } = setup({
        circuitBreaker: {
          failureThreshold: 2,
          recoveryTimeoutMs: 10_000,
          halfOpenMaxCalls: probes,
        },
      });
      trip();
      await clock.advance(10_000);
      let reached = 0;
      const release: Array<() => void> = [];
      const outcomes = Array.from({ length: 100 }, () =>
        policy
          .execute(() => {
            reached++;
            return new Promise<string>((resolve) => release.push(() => resolve('ok')));
          })
          .then(
            (v) => v,
            (e: unknown) => e,
          ),
      );
      expect(reached).toBe(probes); // admission is synchronous: nobody slipped through
      await tick(); // the refused ones settle without the clock moving
      const settled = await Promise.all(outcomes.slice(probes));
      expect(settled.every(isCircuitOpenError)).toBe(true);
      expect(events.rejected).toHaveLength(100 - probes);
      expect(partsOf(policy).breaker.state).toBe('HALF_OPEN');
      release.forEach((r) => r());
      expect(await Promise.all(outcomes.slice(0, probes))).toEqual(Array(probes).fill('ok'));
      expect(partsOf(policy).breaker.state).toBe('CLOSED');
      expect(reached).toBe(probes);
    },
  );

  it('keeps working when a listener throws, and a disposed listener hears nothing', async () => {
    const reported: unknown[] = [];
    onTestFinished(onListenerError((error) => reported.push(error)));
    const { policy } = setup();
    policy.onCallSucceeded(() => {
      throw new Error('sink down');
    });
    const heard: number[] = [];
    const off = policy.onCallSucceeded((e) => heard.push(e.retryCount));
    expect(await policy.execute(async () => 1)).toBe(1);
    off();
    expect(await policy.execute(async () => 2)).toBe(2);
    expect(heard).toEqual([0]);
    expect(reported).toHaveLength(2);
  });

  it('never carries a secret from the error cause into events', async () => {
    const { policy, events, drive } = setup({
      circuitBreaker: { failureThreshold: 1, recoveryTimeoutMs: 10_000 },
    });
    const secret = 'xi-api-key: sk_9f8e7d6c5b4a';
    const stateChanges: unknown[] = [];
    policy.onStateChanged((e) => stateChanges.push(e));
    await drive(
      policy.execute(async () => {
        throw new PermanentServiceError('401 invalid_api_key', {
          service: 'tts',
          scope: 'service',
          cause: new Error(`request failed, headers: ${secret}`),
        });
      }),
    );
    const all = JSON.stringify({ events, stateChanges });
    expect(all).toContain('invalid_api_key');
    expect(all).not.toContain('sk_9f8e7d6c5b4a');
  });
});
