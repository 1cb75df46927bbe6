import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED, type CircuitBreakerOptions } from '../circuit-breaker.ts';
import { PermanentServiceError, TransientServiceError } from '../errors.ts';
import type { StateChangedEvent } from '../policy-events.ts';
import { VirtualClock } from '../virtual-clock.ts';

const failure = new TransientServiceError('503', { service: 'tts' });

async function halfOpen(options: Partial<CircuitBreakerOptions> = {}) {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({
    service: 'tts',
    failureThreshold: 1,
    recoveryTimeoutMs: 10_000,
    clock,
    ...options,
  });
  const changes: StateChangedEvent[] = [];
  breaker.onStateChanged((e) => changes.push(e));
  breaker.recordFailure(breaker.tryAcquire(), failure);
  await clock.advance(10_000);
  const probe = breaker.tryAcquire();
  expect(breaker.state).toBe('HALF_OPEN');
  return { clock, breaker, changes, probe };
}

describe('a half-open probe that never answers', () => {
  it('reopens the circuit once it has been out for recovery_timeout (the default bound)', async () => {
    const { clock, breaker, changes, probe } = await halfOpen();
    await clock.advance(9_999);
    expect(breaker.state).toBe('HALF_OPEN');
    await clock.advance(1);
    expect(breaker.state).toBe('OPEN');
    expect(changes.at(-1)).toMatchObject({
      from: 'HALF_OPEN',
      to: 'OPEN',
      reason: 'probe_timeout',
    });
    breaker.recordSuccess(probe); // its late answer is ignored
    expect(breaker.state).toBe('OPEN');
    await clock.advance(10_000);
    expect(breaker.tryAcquire()).not.toBe(REJECTED); // a new probe may go
  });

  it('halfOpenTimeoutMs sets the bound', async () => {
    const { clock, breaker } = await halfOpen({ halfOpenTimeoutMs: 2_000 });
    await clock.advance(2_000);
    expect(breaker.circuit()).toMatchObject({ state: 'OPEN', reason: 'probe_timeout' });
  });

  it('a probe that answers in time leaves no timer behind', async () => {
    const { clock, breaker, probe } = await halfOpen();
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('CLOSED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('a released probe stops the clock; the next one gets the full bound', async () => {
    const { clock, breaker, probe } = await halfOpen();
    await clock.advance(6_000);
    breaker.release(probe);
    expect(clock.pendingTimers).toBe(0);
    breaker.tryAcquire();
    await clock.advance(9_999);
    expect(breaker.state).toBe('HALF_OPEN');
    await clock.advance(1);
    expect(breaker.state).toBe('OPEN');
  });

  it('keeps what opened the circuit: a timed-out probe proves nothing', async () => {
    const { clock, breaker, probe } = await halfOpen();
    breaker.recordSuccess(probe); // closed again
    const revoked = new PermanentServiceError('401', { service: 'tts', scope: 'service' });
    breaker.recordFailure(breaker.tryAcquire(), revoked);
    await clock.advance(10_000);
    breaker.tryAcquire();
    await clock.advance(10_000);
    expect(breaker.circuit()).toMatchObject({
      reason: 'probe_timeout',
      error: { errorClass: 'permanent/service' },
    });
    expect(breaker.recordHealthyProbe(breaker.generation)).toBe(false);
  });
});
