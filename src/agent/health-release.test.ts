import { describe, expect, it } from 'vitest';
import { operations, TTS, useScenarios } from './flow-harness.test-support.ts';

/** When the health check closes a circuit, the contacts that waited on it go at once. */

const scenario = useScenarios();

describe('a circuit closed by the health check', () => {
  it('lets the waiting contacts in at once, not at the end of their deferral', async () => {
    const h = await scenario({
      contacts: 6,
      concurrency: 2,
      faults: { elevenlabs: { outages: [{ durationMs: 20_000, fault: '503' }] } },
      config: {
        retry: { max_retries: 0 },
        // a half-open trial comes long after the health check (every 5 s) sees the recovery
        circuit_breaker: { failure_threshold: 1, recovery_timeout: 600 },
        recovery: { ramp_seconds: 30 },
      },
    });
    h.start();
    const closed = () =>
      h.log.find((e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'CLOSED');
    await h.runUntil(() => closed() !== undefined);
    expect(closed()).toMatchObject({ reason: 'health_check' });
    const closedAt = closed()!.timestamp;
    expect(await h.queue.waiting()).not.toEqual([]);
    await h.runUntil(() => operations(h.mock, 'elevenlabs', TTS).some((r) => r.at >= closedAt));
    const first = operations(h.mock, 'elevenlabs', TTS).find((r) => r.at >= closedAt)!;
    expect(first.at - closedAt).toBeLessThan(1_000);
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 6, failed: 0 });
  });
});
