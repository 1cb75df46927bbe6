import { describe, expect, it } from 'vitest';
import type { ProviderFaultsInput } from '../providers/mock/faults.ts';
import { agentEvents, operations, SPEECH, TTS, useScenarios } from './flow-harness.test-support.ts';

/**
 * Contacts that waited while both voices were down: the fallback voice's recovery lets them
 * all back in (they wait on the first voice), not one per recovery window of the first.
 */

const scenario = useScenarios();

const CONTACTS = 20;
const OPENAI_OUTAGE_MS = 30_000;

describe('both voices down, the fallback back first', () => {
  it.each([
    ['an outage of the first voice', { outages: [{ durationMs: 3_600_000, fault: '503' }] }],
    ['a spent quota of the first voice', { script: Array<string>(200).fill('quota_exceeded') }],
  ] satisfies Array<[string, ProviderFaultsInput]>)(
    '%s: every contact completes with the fallback voice soon after it recovers',
    async (_, elevenlabs) => {
      const h = await scenario({
        contacts: CONTACTS,
        concurrency: 2,
        env: { TTS_FALLBACK_PROVIDER: 'openai' },
        faults: {
          elevenlabs,
          openai: { outages: [{ durationMs: OPENAI_OUTAGE_MS, fault: '503' }] },
        },
        config: {
          retry: { max_retries: 0 },
          circuit_breaker: { failure_threshold: 1, recovery_timeout: 60 },
        },
      });
      const t0 = h.clock.now();
      h.start();
      await h.runUntil(() => agentEvents(h.log, 'contact_completed').length === CONTACTS);
      // the fallback's circuit closes within a health interval or two of its recovery (5 s);
      // one trial per recovery window of the first voice would take 20 minutes
      expect(h.clock.now() - t0).toBeLessThan(OPENAI_OUTAGE_MS + 30_000);
      expect(await h.queue.counts()).toMatchObject({ completed: CONTACTS, failed: 0 });
      const spoken = operations(h.mock, 'openai', SPEECH).filter((r) => r.fault === 'ok');
      expect(spoken).toHaveLength(CONTACTS);
      expect(h.policy('ElevenLabs').state).not.toBe('CLOSED');
    },
  );
});

describe('both voices failing', () => {
  it('name each voice with its own error in the reason the contact waits for', async () => {
    const h = await scenario({
      contacts: 1,
      env: { TTS_FALLBACK_PROVIDER: 'openai' },
      faults: {
        elevenlabs: { outages: [{ durationMs: 20_000, fault: '503' }] },
        openai: { outages: [{ durationMs: 20_000, fault: '429' }] },
      },
      config: { retry: { max_retries: 0 }, circuit_breaker: { failure_threshold: 5 } },
    });
    h.start();
    await h.runUntil(() => agentEvents(h.log, 'contact_deferred').length > 0);
    const [deferred] = agentEvents(h.log, 'contact_deferred');
    expect(deferred).toMatchObject({ service: 'ElevenLabs', countsAsFailure: true });
    expect(deferred?.reason).toMatch(/^ElevenLabs: [^;]*503[^;]*; OpenAI TTS: [^;]*429/);
  });
});

describe('the first voice refusing the request while the fallback is down', () => {
  it('waits on the fallback alone: the first voice is asked again only with its trials', async () => {
    const h = await scenario({
      contacts: 3,
      env: { TTS_FALLBACK_PROVIDER: 'openai' },
      faults: {
        elevenlabs: { script: Array<string>(500).fill('voice_not_found') },
        openai: { outages: [{ durationMs: 120_000, fault: '503' }] },
      },
      config: { retry: { max_retries: 0 }, recovery: { ramp_seconds: 30 } },
    });
    const t0 = h.clock.now();
    h.start();
    await h.runUntil(() => h.clock.now() >= t0 + 100_000);
    // each contact asked the first voice once; then only the fallback's trial contact, once
    // a recovery window (10 s), asks it again on its way to the fallback — not every tick
    expect(operations(h.mock, 'elevenlabs', TTS).length).toBeLessThanOrEqual(3 + 100 / 10 + 2);
    for (const contact of h.contacts) {
      expect(await h.queue.status(contact.id)).toMatchObject({ waitingOn: 'OpenAI TTS' });
    }
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 3, failed: 0 });
  });
});
