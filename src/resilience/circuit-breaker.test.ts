import { describe, expect, it } from 'vitest';
import { CircuitBreaker, REJECTED, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { PermanentServiceError, TransientServiceError } from './errors.ts';
import type { StateChangedEvent } from './policy-events.ts';
import { VirtualClock } from './virtual-clock.ts';

const failure = new TransientServiceError('503', { service: 'tts' });

function setup(options: Partial<CircuitBreakerOptions> = {}) {
  const clock = new VirtualClock();
  const breaker = new CircuitBreaker({
    service: 'tts',
    failureThreshold: 2,
    recoveryTimeoutMs: 10_000,
    clock,
    ...options,
  });
  const changes: StateChangedEvent[] = [];
  breaker.onStateChanged((e) => changes.push(e));
  const fail = (error: unknown = failure, durationMs = 0): void => {
    const permit = breaker.tryAcquire();
    expect(permit).not.toBe(REJECTED);
    breaker.recordFailure(permit, error, durationMs);
  };
  const succeed = (durationMs = 0): void => {
    const permit = breaker.tryAcquire();
    expect(permit).not.toBe(REJECTED);
    breaker.recordSuccess(permit, durationMs);
  };
  return { clock, breaker, changes, fail, succeed };
}

describe('CircuitBreaker', () => {
  it('opens on failure_threshold consecutive failed calls; a success resets the count', () => {
    const { breaker, changes, fail, succeed } = setup();
    fail();
    succeed();
    fail();
    expect(breaker.state).toBe('CLOSED');
    fail();
    expect(breaker.state).toBe('OPEN');
    expect(changes).toMatchObject([
      { service: 'tts', from: 'CLOSED', to: 'OPEN', reason: 'failure_threshold' },
    ]);
    expect(changes[0]?.error).toMatchObject({ errorClass: 'transient', message: '503' });
  });

  it('refuses calls while open, then lets one probe through after recovery_timeout', async () => {
    const { clock, breaker, changes, fail } = setup();
    fail();
    fail();
    const openedAt = clock.now();
    expect(breaker.tryAcquire()).toBe(REJECTED);
    expect(breaker.nextAttemptAt).toBe(openedAt + 10_000);
    await clock.advance(9_999);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(1);
    const probe = breaker.tryAcquire();
    expect(probe).not.toBe(REJECTED);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.tryAcquire()).toBe(REJECTED);
    breaker.recordSuccess(probe);
    expect(breaker.state).toBe('CLOSED');
    expect(changes.map((c) => `${c.to}:${c.reason}`)).toEqual([
      'OPEN:failure_threshold',
      'HALF_OPEN:recovery_timeout',
      'CLOSED:probe_succeeded',
    ]);
  });

  it('a failed probe reopens it for another full recovery_timeout', async () => {
    const { clock, breaker, fail } = setup();
    fail();
    fail();
    await clock.advance(10_000);
    const probe = breaker.tryAcquire();
    breaker.recordFailure(probe, failure);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.snapshot().openedAt).toBe(clock.now());
    await clock.advance(9_999);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(1);
    expect(breaker.tryAcquire()).not.toBe(REJECTED);
  });

  it('half_open_max_calls N admits N probes and closes after N successes', async () => {
    const { clock, breaker, fail } = setup({ halfOpenMaxCalls: 3 });
    fail();
    fail();
    await clock.advance(10_000);
    const probes = [breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()];
    expect(probes).not.toContain(REJECTED);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    breaker.recordSuccess(probes[0]!);
    breaker.recordSuccess(probes[1]!);
    expect(breaker.state).toBe('HALF_OPEN');
    breaker.recordSuccess(probes[2]!);
    expect(breaker.state).toBe('CLOSED');
  });

  it('half-open tells callers the truth: trials wanted now, or when the running ones must end', async () => {
    const { clock, breaker, fail } = setup({ halfOpenMaxCalls: 2, halfOpenTimeoutMs: 5_000 });
    fail();
    fail();
    expect(breaker.trialsWanted).toBe(0);
    await clock.advance(10_000);
    expect(breaker.trialsWanted).toBe(2);
    const first = breaker.tryAcquire();
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.trialsWanted).toBe(1);
    expect(breaker.nextAttemptAt).toBe(clock.now());
    const second = breaker.tryAcquire();
    expect(breaker.trialsWanted).toBe(0);
    expect(breaker.nextAttemptAt).toBe(clock.now() + 5_000);
    breaker.recordSuccess(first);
    // one success of the two needed; the second trial is still running: nobody else is wanted
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.trialsWanted).toBe(0);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    breaker.release(second); // its request was bad: no verdict, one more trial wanted
    expect(breaker.trialsWanted).toBe(1);
    expect(breaker.nextAttemptAt).toBe(clock.now());
    breaker.recordSuccess(breaker.tryAcquire());
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.trialsWanted).toBe(Infinity);
  });

  it('a released probe frees its half-open slot', async () => {
    const { clock, breaker, fail } = setup();
    fail();
    fail();
    await clock.advance(10_000);
    const probe = breaker.tryAcquire();
    expect(breaker.tryAcquire()).toBe(REJECTED);
    breaker.release(probe);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.tryAcquire()).not.toBe(REJECTED);
  });

  it('a permanent/service error opens it at once, from closed or half-open', async () => {
    const { clock, breaker, changes, fail } = setup({ failureThreshold: 100 });
    const badKey = new PermanentServiceError('401', { service: 'tts', scope: 'service' });
    fail(badKey);
    expect(breaker.state).toBe('OPEN');
    await clock.advance(10_000);
    breaker.recordFailure(breaker.tryAcquire(), badKey);
    expect(breaker.state).toBe('OPEN');
    expect(changes.map((c) => c.reason)).toEqual([
      'permanent_error',
      'recovery_timeout',
      'permanent_error',
    ]);
  });

  it('a permanent/request error does not count, and frees a probe slot', async () => {
    const { clock, breaker, fail } = setup();
    const badNumber = new PermanentServiceError('21211', { service: 'tel', scope: 'request' });
    fail();
    for (let i = 0; i < 10; i++) fail(badNumber);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
    fail();
    await clock.advance(10_000);
    breaker.recordFailure(breaker.tryAcquire(), badNumber);
    expect(breaker.state).toBe('HALF_OPEN');
    expect(breaker.tryAcquire()).not.toBe(REJECTED);
  });

  it("a transient/concurrency error (the plan's cap of calls at once) does not count: the service works", () => {
    const { breaker, fail } = setup();
    const busy = new TransientServiceError('429 concurrent_limit_exceeded', {
      service: 'tts',
      status: 429,
      concurrency: true,
    });
    fail();
    for (let i = 0; i < 10; i++) fail(busy);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('ignores the outcome of a call admitted before the last state change', () => {
    const { breaker, fail } = setup();
    const old = breaker.tryAcquire();
    fail();
    fail();
    breaker.reset();
    breaker.recordFailure(old, failure);
    breaker.recordFailure(old, failure);
    expect(breaker.state).toBe('CLOSED');
    expect(breaker.snapshot().consecutiveFailures).toBe(0);
  });

  it('manual open() holds the circuit until reset()', async () => {
    const { clock, breaker, changes } = setup();
    breaker.open();
    breaker.open();
    expect(breaker.state).toBe('OPEN');
    expect(breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(10_000);
    expect(breaker.tryAcquire()).toBe(REJECTED); // held: no half-open
    breaker.reset();
    expect(breaker.state).toBe('CLOSED');
    breaker.reset('health_check');
    expect(changes.map((c) => `${c.to}:${c.reason}`)).toEqual([
      'OPEN:manual_open',
      'CLOSED:manual_reset',
    ]);
  });

  it('opens on the failure rate over a window once minimum_calls is reached', async () => {
    const { clock, breaker, changes, fail, succeed } = setup({
      failureThreshold: 100,
      failureRate: { threshold: 0.5, windowMs: 10_000, minimumCalls: 6 },
    });
    succeed();
    fail();
    succeed();
    fail();
    succeed();
    expect(breaker.state).toBe('CLOSED'); // 2/5: below the minimum number of calls
    await clock.advance(1_000);
    fail();
    expect(breaker.state).toBe('OPEN'); // 3/6
    expect(changes.at(-1)?.reason).toBe('failure_rate');
  });

  it('forgets calls that left the window', async () => {
    const { clock, breaker, fail, succeed } = setup({
      failureThreshold: 100,
      failureRate: { threshold: 0.5, windowMs: 10_000, minimumCalls: 4 },
    });
    fail();
    succeed();
    succeed();
    await clock.advance(20_000); // the window (10 s) has moved past these three
    fail();
    fail();
    succeed();
    expect(breaker.state).toBe('CLOSED'); // 2/3; counting the old calls it would have opened at 3/5
    fail();
    expect(breaker.state).toBe('OPEN'); // 3/4
  });

  it('opens on the slow-call rate even when every call succeeds', () => {
    const { breaker, changes, succeed } = setup({
      slowCall: { durationMs: 2_000, rateThreshold: 0.5, windowMs: 60_000, minimumCalls: 4 },
    });
    expect(breaker.measuresDuration).toBe(true);
    succeed(100);
    succeed(5_000);
    succeed(100);
    expect(breaker.state).toBe('CLOSED');
    succeed(2_000);
    expect(breaker.state).toBe('OPEN');
    expect(changes.at(-1)?.reason).toBe('slow_call_rate');
  });

  it('the state-change subscription returns a disposer', () => {
    const { breaker } = setup();
    const seen: string[] = [];
    const off = breaker.onStateChanged((e) => seen.push(e.to));
    breaker.open();
    off();
    off();
    breaker.reset();
    expect(seen).toEqual(['OPEN']);
  });
});
