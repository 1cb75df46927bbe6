import { afterEach, describe, expect, it } from 'vitest';
import {
  createFlowHarness,
  operations,
  type FlowHarness,
  type FlowHarnessOptions,
} from '../agent/flow-harness.test-support.ts';
import { runToEnd } from './campaign-session.ts';

/**
 * A run stops waiting when every contact left waits on a service a person must fix (a circuit
 * opened by a `permanent/service` error that keeps being confirmed), and only then.
 */

const GIVE_UP_AFTER_MS = 10 * 60_000;

let harness: FlowHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function runWith(options: FlowHarnessOptions, maxDurationMs = 3 * 3_600_000) {
  harness = await createFlowHarness({ contacts: 4, concurrency: 2, ...options });
  const summary = await runToEnd(harness.campaign, harness.queue, {
    giveUpAfterMs: GIVE_UP_AFTER_MS,
    maxDurationMs,
  });
  return { h: harness, summary };
}

describe('giving up on a service a person must fix', () => {
  it('stops once a revoked key has refused everything for give_up_after, naming it', async () => {
    const { h, summary } = await runWith({
      faults: { elevenlabs: { outages: [{ fault: 'invalid_api_key' }] } },
    });
    expect(summary.ended).toBe('gave_up');
    expect(summary.gave_up).toEqual([
      {
        service: 'ElevenLabs',
        since: new Date(h.log.find((e) => e.source === 'state')!.timestamp).toISOString(),
        error_type: 'permanent/service',
        reason: '401 invalid_api_key: Invalid API key',
      },
    ]);
    expect(summary.contacts).toMatchObject({ completed: 0, failed: 0, deferred: 4 });
    // it waited give_up_after (and at most one look more), not for ever
    const opened = Date.parse(summary.gave_up![0]!.since);
    const stoppedAt = h.clock.now();
    expect(stoppedAt - opened).toBeGreaterThanOrEqual(GIVE_UP_AFTER_MS);
    expect(stoppedAt - opened).toBeLessThanOrEqual(GIVE_UP_AFTER_MS + 60_000);
    // the probes kept confirming the key bad; no call was placed
    const probes = h.log.filter((e) => e.source === 'probe' && e.service === 'ElevenLabs');
    expect(probes.length).toBeGreaterThan(10);
    expect(probes.every((e) => e.source === 'probe' && !e.healthy)).toBe(true);
    expect(h.mock.twilioCalls).toEqual([]);
  });

  it('does not give up on an outage that time can end (a long 503)', async () => {
    const { h, summary } = await runWith(
      { faults: { elevenlabs: { outages: [{ fault: '503', durationMs: 40 * 60_000 }] } } },
      2 * 3_600_000,
    );
    expect(summary.ended).toBe('drained');
    expect(summary.contacts).toMatchObject({ completed: 4 });
    expect(operations(h.mock, 'twilio')).toHaveLength(4);
  });

  it('gives up on a key its probe cannot check once trial calls have confirmed it long enough', async () => {
    // missing_permissions: the probe passes on such a key, so only half-open trial calls can
    // tell, and each one fails the same way
    const { summary } = await runWith({
      faults: {
        elevenlabs: { outages: [{ fault: 'missing_permissions', durationMs: 30 * 60_000 }] },
      },
    });
    expect(summary.ended).toBe('gave_up');
    expect(summary.gave_up?.[0]).toMatchObject({ service: 'ElevenLabs' });
  });

  it('gives up on a revoked CRM token with every record waiting in the outbox', async () => {
    const { h, summary } = await runWith({
      faults: { hubspot: { outages: [{ fault: '401' }] } },
    });
    expect(summary.ended).toBe('gave_up');
    expect(summary.gave_up?.map((b) => b.service)).toEqual(['HubSpot']);
    expect(summary.contacts).toMatchObject({ completed: 4 });
    expect(summary.crm_outbox).toBe(4);
    expect(h.mock.twilioCalls).toHaveLength(4);
  });

  it('waits while other contacts can still move', async () => {
    // TTS is revoked for good, but a fallback voice speaks: nothing waits on ElevenLabs
    const { summary } = await runWith({
      env: { TTS_FALLBACK_PROVIDER: 'openai' },
      faults: { elevenlabs: { outages: [{ fault: 'invalid_api_key' }] } },
    });
    expect(summary.ended).toBe('drained');
    expect(summary.contacts).toMatchObject({ completed: 4 });
  });
});
