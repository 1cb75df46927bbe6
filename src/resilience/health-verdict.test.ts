import { describe, expect, it } from 'vitest';
import { REJECTED } from './circuit-breaker.ts';
import { createServicePolicy } from './policy-config.ts';
import { partsOf } from './service-policy.ts';
import { PermanentServiceError, TransientServiceError, type ErrorInfo } from './errors.ts';
import { HealthChecker, type HealthRegistrationOptions } from './health-checker.ts';
import type { StateChangedEvent } from './policy-events.ts';
import { VirtualClock } from './virtual-clock.ts';

const failure = new TransientServiceError('503', { service: 'tts', status: 503 });
const revokedKey = new PermanentServiceError('401 invalid_api_key', {
  service: 'tts',
  scope: 'service',
  status: 401,
  providerCode: 'invalid_api_key',
});
const HOUR = 3_600_000;

/** A health checker probing `tts` every 5 s; each probe answers after `probeMs`. */
function setup(probeMs = 0, options?: HealthRegistrationOptions) {
  const clock = new VirtualClock(0);
  const checker = new HealthChecker({ interval: 5, timeout: 10 }, { clock });
  const policy = createServicePolicy(
    'tts',
    {
      retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
      circuit_breaker: { failure_threshold: 1, recovery_timeout: 60 },
    },
    { clock },
  );
  const { breaker } = partsOf(policy);
  const changes: StateChangedEvent[] = [];
  breaker.onStateChanged((e) => changes.push(e));
  const probedAt: number[] = [];
  checker.register(
    'tts',
    async (signal) => {
      probedAt.push(clock.now());
      if (probeMs > 0) await clock.sleep(probeMs, signal);
    },
    policy,
    options,
  );
  const fail = (error: unknown = failure): void =>
    breaker.recordFailure(breaker.tryAcquire(), error);
  return { clock, checker, breaker, changes, probedAt, fail };
}

describe('health verdicts', () => {
  it('a probe that started before the last transition does not close the circuit', async () => {
    const { clock, checker, breaker, fail } = setup(3_000);
    checker.start();
    await clock.advanceTo(6_000); // the first probe runs from 5 s to 8 s
    fail(); // the circuit opens at 6 s, after the probe began
    await clock.advanceTo(8_000);
    expect(checker.statusOf('tts')?.healthy).toBe(true);
    expect(breaker.state).toBe('OPEN');
    await clock.advanceTo(16_000); // the next probe (13 s → 16 s) began after the open
    expect(breaker.state).toBe('CLOSED');
  });

  it('a probe that started while the circuit was half-open closes it', async () => {
    const { clock, checker, breaker, changes, fail } = setup();
    fail();
    await clock.advance(60_000);
    const trial = breaker.tryAcquire();
    expect(breaker.state).toBe('HALF_OPEN');
    await checker.checkNow('tts');
    expect(breaker.state).toBe('CLOSED');
    expect(changes.at(-1)).toMatchObject({
      from: 'HALF_OPEN',
      to: 'CLOSED',
      reason: 'health_check',
    });
    breaker.recordFailure(trial, failure); // the trial call's late answer changes nothing
    expect(breaker.state).toBe('CLOSED');
  });

  it('a circuit opened by hand is closed only by hand: no probe, no half-open', async () => {
    const { clock, checker, breaker, changes } = setup();
    breaker.open();
    checker.start();
    await clock.advance(5 * 60_000);
    expect(checker.statusOf('tts')?.healthy).toBe(true);
    expect(breaker.state).toBe('OPEN');
    expect(breaker.tryAcquire()).toBe(REJECTED);
    breaker.reset();
    expect(changes.map((c) => `${c.to}:${c.reason}`)).toEqual([
      'OPEN:manual_open',
      'CLOSED:manual_reset',
    ]);
  });

  it('a circuit opened by a permanent/service error ignores a probe that does not check that condition', async () => {
    const { clock, checker, breaker, fail } = setup();
    fail(revokedKey);
    checker.start();
    await clock.advance(30_000);
    expect(checker.statusOf('tts')?.healthy).toBe(true);
    expect(breaker.state).toBe('OPEN');
  });

  it('…and is closed by a probe that proves that condition gone', async () => {
    const asked: ErrorInfo[] = [];
    const { clock, checker, breaker, changes, fail } = setup(0, {
      provesRecoveryFrom: (error) => {
        asked.push(error);
        return error.providerCode === 'invalid_api_key';
      },
    });
    fail(revokedKey);
    checker.start();
    await clock.advance(5_000);
    expect(breaker.state).toBe('CLOSED');
    expect(changes.at(-1)?.reason).toBe('health_check');
    expect(asked).toMatchObject([{ errorClass: 'permanent/service', status: 401 }]);
  });

  it('a half-open trial call still closes a circuit opened by a permanent/service error', async () => {
    const { clock, breaker, fail } = setup();
    fail(revokedKey);
    await clock.advance(60_000);
    breaker.recordSuccess(breaker.tryAcquire());
    expect(breaker.state).toBe('CLOSED');
  });

  it('a circuit held open until a reset time is not probed before it', async () => {
    const quota = new PermanentServiceError('401 quota_exceeded', {
      service: 'tts',
      scope: 'service',
      providerCode: 'quota_exceeded',
      retryAfterMs: HOUR,
    });
    const { clock, checker, breaker, probedAt, fail } = setup(0, {
      provesRecoveryFrom: (error) => error.providerCode === 'quota_exceeded',
    });
    fail(quota);
    checker.start();
    await clock.advance(HOUR - 1);
    expect(probedAt).toEqual([]);
    expect(breaker.tryAcquire()).toBe(REJECTED);
    await clock.advance(1);
    expect(probedAt).toEqual([HOUR]);
    expect(breaker.state).toBe('CLOSED');
  });

  it('checkNow sends no probe before that time either', async () => {
    const { clock, checker, breaker, probedAt } = setup();
    breaker.recordRetryAfter(breaker.tryAcquire(), failure, HOUR);
    await checker.checkNow('tts');
    expect(probedAt).toEqual([]);
    await clock.advance(HOUR);
    await checker.checkNow('tts');
    expect(probedAt).toEqual([HOUR]);
    expect(breaker.state).toBe('CLOSED'); // a transient cause: any answer proves it gone
  });

  it('a probe whose pass the service belied (it reopened before any call succeeded) closes it no more: a trial call does', async () => {
    const { clock, checker, breaker, changes, fail } = setup();
    fail();
    await checker.checkNow('tts');
    expect(breaker.state).toBe('CLOSED'); // the probe passes: closed
    fail(); // …but the real endpoint still fails: the probe lied
    expect(breaker.state).toBe('OPEN');
    await checker.checkNow('tts');
    await clock.advance(30_000);
    await checker.checkNow('tts');
    expect(breaker.state).toBe('OPEN'); // the probe's pass proves nothing now
    await clock.advance(30_000);
    breaker.recordSuccess(breaker.tryAcquire()); // the half-open trial succeeds
    expect(changes.at(-1)).toMatchObject({ to: 'CLOSED', reason: 'probe_succeeded' });
    // trusted again: the next outage is closed by a probe
    fail();
    await checker.checkNow('tts');
    expect(changes.at(-1)).toMatchObject({ to: 'CLOSED', reason: 'health_check' });
  });

  it('a probe whose close was followed by a successful call stays trusted', async () => {
    const { checker, breaker, changes, fail } = setup();
    fail();
    await checker.checkNow('tts');
    breaker.recordSuccess(breaker.tryAcquire());
    fail(); // a new outage, after the service had answered
    await checker.checkNow('tts');
    expect(changes.at(-1)).toMatchObject({ to: 'CLOSED', reason: 'health_check' });
  });
});
