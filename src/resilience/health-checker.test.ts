import { describe, expect, it } from 'vitest';
import { createServicePolicy } from './policy-config.ts';
import { TransientServiceError } from './errors.ts';
import { HealthChecker, type HealthProbe } from './health-checker.ts';
import type { HealthProbeEvent, StateChangedEvent } from './policy-events.ts';
import { VirtualClock } from './virtual-clock.ts';

const down = (): TransientServiceError =>
  new TransientServiceError('503 Service Unavailable', { service: 'tts', status: 503 });

function setup(config: { timeout?: number } = {}) {
  const clock = new VirtualClock(0);
  const checker = new HealthChecker({ interval: 5, ...config }, { clock });
  const events: HealthProbeEvent[] = [];
  checker.onProbe((e) => events.push(e));
  return { clock, checker, events };
}

describe('HealthChecker', () => {
  it('probes each service every interval, first after one interval', async () => {
    const { clock, checker } = setup();
    const probedAt: Record<string, number[]> = { tts: [], llm: [] };
    checker.register('tts', async () => void probedAt.tts!.push(clock.now()));
    checker.register('llm', async () => void probedAt.llm!.push(clock.now()));
    checker.start();
    checker.start(); // idempotent
    await clock.advance(15_000);
    expect(probedAt).toEqual({ tts: [5_000, 10_000, 15_000], llm: [5_000, 10_000, 15_000] });
  });

  it('start() right after an unawaited stop() keeps one probe loop per service', async () => {
    const { clock, checker } = setup();
    const probedAt: number[] = [];
    checker.register('tts', async (signal) => {
      probedAt.push(clock.now());
      await clock.sleep(1_000, signal);
    });
    checker.start();
    await clock.advance(5_500); // the first probe is in flight
    void checker.stop();
    checker.start();
    await clock.advanceTo(14_000); // between probes: 10.5–11.5 s done, next at 16.5 s
    expect(probedAt).toEqual([5_000, 10_500]);
    expect(clock.pendingTimers).toBe(1); // one loop, not two
    await clock.advanceTo(30_000);
    expect(probedAt).toEqual([5_000, 10_500, 16_500, 22_500, 28_500]);
  });

  it('never overlaps probes: a probe that takes 3 intervals delays the next one', async () => {
    const { clock, checker } = setup({ timeout: 60 });
    let inFlight = 0;
    let maxInFlight = 0;
    const started: number[] = [];
    checker.register('llm', async (signal) => {
      started.push(clock.now());
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await clock.sleep(15_000, signal);
      } finally {
        inFlight--;
      }
    });
    checker.start();
    await clock.advance(60_000);
    expect(maxInFlight).toBe(1);
    // each probe starts one interval after the previous one finished
    expect(started).toEqual([5_000, 25_000, 45_000]);
    // checkNow during a probe joins it instead of starting a second one
    await clock.advanceTo(66_000);
    expect(inFlight).toBe(1);
    const joined = checker.checkNow('llm');
    await clock.advance(15_000);
    await joined;
    expect(maxInFlight).toBe(1);
    expect(started).toEqual([5_000, 25_000, 45_000, 65_000]);
  });

  it('records status per service: healthy, last probe, last error, consecutive failures', async () => {
    const { clock, checker, events } = setup();
    let up = false;
    checker.register('tts', async () => {
      if (!up) throw down();
    });
    expect(checker.statusOf('tts')).toMatchObject({ healthy: undefined, consecutiveFailures: 0 });
    checker.start();
    await clock.advance(10_000);
    expect(checker.statusOf('tts')).toEqual({
      service: 'tts',
      healthy: false,
      lastProbeAt: 10_000,
      lastSuccessAt: undefined,
      unhealthySince: 5_000,
      lastError: expect.objectContaining({ errorClass: 'transient', status: 503 }),
      consecutiveFailures: 2,
    });
    up = true;
    await clock.advance(5_000);
    expect(checker.status()).toEqual([
      expect.objectContaining({
        service: 'tts',
        healthy: true,
        lastProbeAt: 15_000,
        lastSuccessAt: 15_000,
        unhealthySince: undefined,
        consecutiveFailures: 0,
      }),
    ]);
    expect(events.map((e) => [e.timestamp, e.healthy, e.consecutiveFailures])).toEqual([
      [5_000, false, 1],
      [10_000, false, 2],
      [15_000, true, 0],
    ]);
    expect(checker.statusOf('nope')).toBeUndefined();
  });

  it('closes the circuit of the policy it was given when the service answers again', async () => {
    const { clock, checker, events } = setup();
    const policy = createServicePolicy(
      'tts',
      {
        retry: { max_retries: 0, initial_delay: 1, backoff_factor: 2 },
        circuit_breaker: { failure_threshold: 2, recovery_timeout: 60 },
      },
      { clock },
    );
    const changes: StateChangedEvent[] = [];
    policy.onStateChanged((e) => changes.push(e));
    let up = false;
    checker.register(
      'tts',
      async () => {
        if (!up) throw down();
      },
      policy,
    );
    for (let i = 0; i < 2; i++) await policy.execute(() => Promise.reject(down())).catch(() => {});
    checker.start();
    await clock.advance(5_000);
    expect(policy.state).toBe('OPEN');
    up = true;
    await clock.advance(5_000);
    expect(policy.state).toBe('CLOSED');
    expect(changes.at(-1)).toMatchObject({ from: 'OPEN', to: 'CLOSED', reason: 'health_check' });
    expect(events.at(-1)).toMatchObject({ healthy: true, circuitState: 'CLOSED' });
    await clock.advance(5_000);
    expect(changes).toHaveLength(2); // a healthy probe leaves a closed breaker alone
  });

  it('a probe that outlives its timeout fails, even if it ignores its signal', async () => {
    const { clock, checker } = setup({ timeout: 2 });
    checker.register('crm', () => new Promise<void>(() => undefined));
    checker.start();
    await clock.advance(7_000);
    expect(checker.statusOf('crm')).toMatchObject({
      healthy: false,
      lastProbeAt: 7_000,
      lastError: { errorClass: 'timeout' },
    });
  });

  it('checkNow probes at once, also before start()', async () => {
    const { checker } = setup();
    let calls = 0;
    checker.register('tel', async () => void calls++);
    const health = await checker.checkNow('tel');
    expect(calls).toBe(1);
    expect(health.healthy).toBe(true);
    await expect(checker.checkNow('nope')).rejects.toThrow(/not registered/);
    expect(() => checker.register('tel', async () => undefined)).toThrow(/already registered/);
  });

  it('checkNow records a timed-out probe as a failure, also before start()', async () => {
    const { clock, checker } = setup({ timeout: 2 });
    checker.register('crm', () => new Promise<void>(() => undefined));
    const checking = checker.checkNow('crm');
    await clock.advance(2_000);
    const health = await checking;
    expect(health).toMatchObject({
      healthy: false,
      consecutiveFailures: 1,
      lastError: { errorClass: 'timeout' },
    });
    expect(checker.statusOf('crm')?.lastProbeAt).toBe(2_000);
  });

  it('stop() aborts the probe in flight and leaves no timer behind', async () => {
    const { clock, checker, events } = setup({ timeout: 60 });
    let probeSignal: AbortSignal | undefined;
    const slow: HealthProbe = (signal) => {
      probeSignal = signal;
      return clock.sleep(30_000, signal);
    };
    checker.register('llm', slow);
    checker.register('tts', async () => undefined);
    checker.start();
    await clock.advance(6_000); // llm probe in flight, tts waiting for its next turn
    expect(probeSignal?.aborted).toBe(false);
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await checker.stop();
    expect(checker.running).toBe(false);
    expect(probeSignal?.aborted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    const before = events.length;
    await clock.advance(60_000);
    expect(events).toHaveLength(before);
    expect(checker.statusOf('llm')?.healthy).toBeUndefined(); // the aborted probe is not a failure
  });

  it("a registration's disposer stops its probing", async () => {
    const { clock, checker } = setup();
    let calls = 0;
    const off = checker.register('tts', async () => void calls++);
    checker.start();
    await clock.advance(5_000);
    off();
    await clock.advance(30_000);
    expect(calls).toBe(1);
    expect(checker.status()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('reads seconds, and says so when an interval or a timeout is not a positive number', () => {
    expect(() => new HealthChecker({ interval: 0 })).toThrow(
      'health check: interval must be a positive number of seconds, got 0',
    );
    expect(() => new HealthChecker({ interval: 5, timeout: Number.NaN })).toThrow(
      /timeout must be a positive number of seconds, got NaN/,
    );
  });
});
