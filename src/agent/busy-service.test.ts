import { describe, expect, it } from 'vitest';
import { agentEvents, useScenarios } from './flow-harness.test-support.ts';

/** A service at its plan's cap of calls at once works: it is busy, and nobody's fault. */

const scenario = useScenarios();

describe('a voice at its cap of calls at once', () => {
  it('neither opens its circuit nor counts against the contacts, and every contact completes', async () => {
    const h = await scenario({
      contacts: 4,
      concurrency: 2,
      maxFailedAttempts: 2,
      faults: {
        elevenlabs: { outages: [{ durationMs: 60_000, fault: 'concurrent_limit_exceeded' }] },
      },
      config: { retry: { max_retries: 1, initial_delay: 1 } },
    });
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 4, failed: 0 });
    expect(h.log.filter((e) => e.source === 'state' && e.service === 'ElevenLabs')).toEqual([]);
    const deferrals = agentEvents(h.log, 'contact_deferred');
    expect(deferrals.length).toBeGreaterThan(0);
    expect(deferrals.every((e) => !e.countsAsFailure)).toBe(true);
  });
});
