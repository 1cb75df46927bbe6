import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED } from '../circuit-breaker.ts';
import { PermanentServiceError, TransientServiceError } from '../errors.ts';
import { VirtualClock } from '../virtual-clock.ts';

const failure = new TransientServiceError('503', { service: 'tts' });
const badKey = new PermanentServiceError('401 invalid_api_key', {
  service: 'tts',
  scope: 'service',
});

function setup() {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({
    service: 'tts',
    failureThreshold: 2,
    recoveryTimeoutMs: 10_000,
    clock,
  });
  const trip = (): void => {
    breaker.recordFailure(breaker.tryAcquire(), failure);
    breaker.recordFailure(breaker.tryAcquire(), failure);
  };
  /** A call admitted while closed, then the circuit opens and half-opens with a probe out. */
  const staleCallDuringHalfOpen = async (): Promise<{ stale: number; probe: number }> => {
    const stale = breaker.tryAcquire();
    trip();
    await clock.advance(10_000);
    const probe = breaker.tryAcquire();
    expect(breaker.state).toBe('HALF_OPEN');
    return { stale, probe };
  };
  return { clock, breaker, trip, staleCallDuringHalfOpen };
}

describe('outcomes of a call admitted before the last transition are ignored', () => {
  it('a stale success does not close a half-open circuit', async () => {
    const { breaker, staleCallDuringHalfOpen } = setup();
    const { stale, probe } = await staleCallDuringHalfOpen();
    breaker.recordSuccess(stale);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.tryAcquire()).toBe(REJECTED); // the real probe is still out
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('CLOSED');
  });

  it('a stale success does not wipe the failures counted since', () => {
    const { breaker, trip } = setup();
    const stale = breaker.tryAcquire();
    trip();
    breaker.reset();
    breaker.recordFailure(breaker.tryAcquire(), failure);
    breaker.recordSuccess(stale);
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('a stale release does not free a half-open probe slot', async () => {
    const { breaker, staleCallDuringHalfOpen } = setup();
    const { stale } = await staleCallDuringHalfOpen();
    breaker.release(stale);
    expect(breaker.tryAcquire()).toBe(REJECTED);
  });

  it('a stale permanent/service error does not reopen a circuit closed since', () => {
    const { breaker, trip } = setup();
    const stale = breaker.tryAcquire();
    trip();
    breaker.reset();
    breaker.recordFailure(stale, badKey);
    expect(breaker.state).toBe('CLOSED');
  });

  it('a stale permanent/service error does not cut a half-open trial short', async () => {
    const { breaker, staleCallDuringHalfOpen } = setup();
    const { stale, probe } = await staleCallDuringHalfOpen();
    breaker.recordFailure(stale, badKey);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('CLOSED');
  });
});
