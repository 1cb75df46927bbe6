import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import { FaultEngine } from './fault-engine.ts';
import { faultLabel, parseFault } from './faults.ts';

const labels = (
  engine: FaultEngine,
  n: number,
  kind: 'operation' | 'probe' = 'operation',
): string[] => Array.from({ length: n }, () => faultLabel(engine.next('elevenlabs', kind)));

describe('parseFault', () => {
  it.each([
    ['ok', { type: 'ok' }],
    ['503', { type: 'status', status: 503 }],
    ['rate-limit:5', { type: 'rate-limit', retryAfterSeconds: 5 }],
    ['rate-limit', { type: 'rate-limit', retryAfterSeconds: 1 }],
    ['slow:2000', { type: 'slow', ms: 2000 }],
    ['reset', { type: 'reset' }],
    ['empty-audio', { type: 'empty' }],
    ['garbage', { type: 'garbage' }],
    ['accept-then-reset', { type: 'accept-then-reset' }],
    ['accept-then-502', { type: 'accept-then-status', status: 502 }],
    ['quota_exceeded', { type: 'code', code: 'quota_exceeded' }],
    ['21211', { type: 'code', code: '21211' }],
  ])('%s', (input, fault) => {
    expect(parseFault(input)).toEqual(fault);
  });
});

describe('FaultEngine', () => {
  it('plays a script ("503, 503, then ok") for operations only', () => {
    const engine = new FaultEngine(new VirtualClock());
    engine.set({ elevenlabs: { script: ['503', '503'] } });
    expect(labels(engine, 1, 'probe')).toEqual(['ok']);
    expect(labels(engine, 4)).toEqual(['503', '503', 'ok', 'ok']);
  });

  it('is down during an outage window of the mock clock, for probes too', async () => {
    const clock = new VirtualClock();
    const engine = new FaultEngine(clock);
    const t0 = clock.now();
    engine.set({ elevenlabs: { outages: [{ from: t0 + 1_000, to: t0 + 3_000, fault: 'reset' }] } });
    expect(labels(engine, 1)).toEqual(['ok']);
    await clock.advance(1_000);
    expect([...labels(engine, 1), ...labels(engine, 1, 'probe')]).toEqual(['reset', 'reset']);
    await clock.advance(2_000);
    expect(labels(engine, 1)).toEqual(['ok']);
  });

  it('takes outages relative to when they are set (afterMs, durationMs), 503 by default', async () => {
    const clock = new VirtualClock();
    const engine = new FaultEngine(clock);
    engine.set({ elevenlabs: { outages: [{ afterMs: 500, durationMs: 1_000 }] } });
    await clock.advance(499);
    expect(labels(engine, 1)).toEqual(['ok']);
    await clock.advance(1);
    expect(labels(engine, 1)).toEqual(['503']);
    await clock.advance(1_000);
    expect(labels(engine, 1)).toEqual(['ok']);
  });

  it('fails operations at the error rate, the same way for the same seed', () => {
    const run = (seed: number) => {
      const engine = new FaultEngine(new VirtualClock(), seed);
      engine.set({ elevenlabs: { errorRate: 0.3, errorFault: '502' } });
      return labels(engine, 1_000);
    };
    const first = run(42);
    expect(run(42)).toEqual(first);
    expect(run(43)).not.toEqual(first);
    const failures = first.filter((label) => label === '502').length;
    expect(failures).toBeGreaterThan(240);
    expect(failures).toBeLessThan(360);
  });

  it('replaces only the providers named; null clears one', () => {
    const engine = new FaultEngine(new VirtualClock());
    engine.set({ elevenlabs: { latencyMs: 50 }, twilio: { latencyMs: 70 } });
    engine.set({ elevenlabs: null });
    expect(engine.latencyMs('elevenlabs')).toBe(0);
    expect(engine.latencyMs('twilio')).toBe(70);
  });

  it('refuses an invalid config and keeps the faults it had', () => {
    const engine = new FaultEngine(new VirtualClock());
    engine.set({ twilio: { latencyMs: 70 } });
    expect(() => engine.set({ twilio: { errorRate: 2 } })).toThrow(/invalid faults/);
    expect(() => engine.set({ nope: {} } as never)).toThrow(/invalid faults/);
    expect(engine.latencyMs('twilio')).toBe(70);
  });
});
