import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED } from '../circuit-breaker.ts';
import { PermanentServiceError, TransientServiceError } from '../errors.ts';
import { VirtualClock } from '../virtual-clock.ts';
import type { CircuitSnapshot } from './state-store.ts';

const HOUR = 3_600_000;
const rateLimited = new TransientServiceError('429 rate_limit_exceeded', {
  service: 'llm',
  status: 429,
  retryAfterMs: HOUR,
});

function setup() {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({
    service: 'llm',
    failureThreshold: 2,
    recoveryTimeoutMs: 10_000,
    clock,
  });
  return { clock, breaker };
}

describe('a circuit opened by hand', () => {
  it('is held: it never half-opens, and only reset() closes it', async () => {
    const { clock, breaker } = setup();
    breaker.open();
    breaker.open();
    await clock.advance(HOUR);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.nextAttemptAt).toBe(clock.now() + 10_000); // ask again later
    expect(breaker.circuit()).toMatchObject({ state: 'OPEN', reason: 'manual_open', held: true });
    breaker.reset();
    expect(breaker.circuit()).toMatchObject({
      state: 'CLOSED',
      reason: 'manual_reset',
      held: false,
    });
  });

  it('open() holds a circuit that failures had already opened', async () => {
    const { clock, breaker } = setup();
    const failure = new TransientServiceError('503', { service: 'llm' });
    breaker.recordFailure(breaker.tryAcquire(), failure);
    breaker.recordFailure(breaker.tryAcquire(), failure);
    breaker.open();
    await clock.advance(10_000);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    expect(breaker.circuit()).toMatchObject({ held: true, error: undefined });
  });
});

describe('a circuit opened until a time', () => {
  it('a long Retry-After opens it at once until then: no call, no half-open before', async () => {
    const { clock, breaker } = setup();
    const start = clock.now();
    breaker.recordRetryAfter(breaker.tryAcquire(), rateLimited, HOUR);
    expect(breaker.circuit()).toEqual({
      state: 'OPEN',
      since: start,
      reason: 'retry_after',
      error: expect.objectContaining({ errorClass: 'transient', status: 429 }),
      held: false,
      openUntil: start + HOUR,
    });
    expect(breaker.nextAttemptAt).toBe(start + HOUR);
    await clock.advance(HOUR - 1);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(1);
    const trial = breaker.tryAcquire();
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.recordSuccess(trial);
    expect(breaker.circuit()).toMatchObject({ state: 'CLOSED', openUntil: undefined });
  });

  it('a permanent/service error with a reset time opens it until then', async () => {
    const { clock, breaker } = setup();
    const quota = new PermanentServiceError('429 DAILY', {
      service: 'crm',
      scope: 'service',
      retryAfterMs: HOUR,
    });
    breaker.recordFailure(breaker.tryAcquire(), quota);
    expect(breaker.circuit()).toMatchObject({
      reason: 'permanent_error',
      openUntil: clock.now() + HOUR,
    });
    await clock.advance(HOUR / 2);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    expect(breaker.nextAttemptAt).toBe(clock.now() + HOUR / 2);
  });

  it('no health verdict closes it before then, even one started after it opened', async () => {
    const { clock, breaker } = setup();
    breaker.recordRetryAfter(breaker.tryAcquire(), rateLimited, HOUR);
    expect(breaker.recordHealthyProbe(breaker.generation)).toBe(false);
    expect(breaker.state).toBe('OPEN');
    await clock.advance(HOUR);
    expect(breaker.recordHealthyProbe(breaker.generation)).toBe(true);
    expect(breaker.state).toBe('CLOSED');
  });

  it('a Retry-After from a call admitted before the last transition is ignored', () => {
    const { breaker } = setup();
    const stale = breaker.tryAcquire();
    breaker.open();
    breaker.reset();
    breaker.recordRetryAfter(stale, rateLimited, HOUR);
    expect(breaker.state).toBe('CLOSED');
  });
});

describe('a stored circuit', () => {
  it('keeps its reason, its hold and its time through JSON and restore()', async () => {
    const { clock, breaker } = setup();
    breaker.recordRetryAfter(breaker.tryAcquire(), rateLimited, HOUR);
    const until = clock.now() + HOUR;
    const other = setup();
    other.breaker.restore(JSON.parse(JSON.stringify(breaker.snapshot())) as CircuitSnapshot);
    expect(other.breaker.circuit()).toMatchObject({ reason: 'retry_after', openUntil: until });
    await other.clock.advanceTo(until - 1);
    expect(other.breaker.tryAcquire()).toBe(REJECTED);

    await clock.advance(1);
    breaker.open();
    other.breaker.restore(JSON.parse(JSON.stringify(breaker.snapshot())) as CircuitSnapshot);
    expect(other.breaker.circuit()).toMatchObject({ state: 'OPEN', held: true });
    await other.clock.advance(2 * HOUR);
    expect(other.breaker.tryAcquire()).toBe(REJECTED);
  });

  it('an open snapshot without openedAt half-opens one recovery timeout after updatedAt', async () => {
    const { clock, breaker } = setup();
    const updatedAt = clock.now();
    breaker.restore({
      service: 'llm',
      state: 'OPEN',
      openedAt: undefined,
      consecutiveFailures: 2,
      updatedAt,
    });
    expect(breaker.nextAttemptAt).toBe(updatedAt + 10_000);
    await clock.advance(10_000);
    expect(breaker.tryAcquire()).not.toBe(REJECTED);
  });
});
