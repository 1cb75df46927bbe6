import { describe, expect, it } from 'vitest';
import { agentEvents, operations, SPEECH, TTS, useScenarios } from './flow-harness.test-support.ts';

/**
 * The check before a contact's steps: a contact is held back only by a service it still
 * needs, and only when no alternative can stand in for it.
 */

const scenario = useScenarios();

describe('the check before a contact starts', () => {
  it('does not hold back a contact whose audio is made when the voice is down', async () => {
    const h = await scenario({
      contacts: 1,
      faults: { twilio: { outages: [{ durationMs: 20_000, fault: '503' }] } },
      config: { retry: { max_retries: 0 } },
    });
    const t0 = h.clock.now();
    h.start();
    await h.runUntil(() => agentEvents(h.log, 'contact_deferred').length > 0);
    const spokenBefore = operations(h.mock, 'elevenlabs', TTS).length;
    expect(spokenBefore).toBe(1);
    h.policy('ElevenLabs').open(); // held open by hand: it takes no call until reset
    await h.runUntil(
      () => agentEvents(h.log, 'contact_completed').length === 1 || h.clock.now() > t0 + 300_000,
    );
    expect(agentEvents(h.log, 'contact_completed')).toHaveLength(1);
    expect(operations(h.mock, 'elevenlabs', TTS)).toHaveLength(spokenBefore);
  });

  it('does not hold back a contact while the fallback voice can speak', async () => {
    const h = await scenario({ contacts: 3, env: { TTS_FALLBACK_PROVIDER: 'openai' } });
    h.policy('ElevenLabs').open();
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 3 });
    expect(agentEvents(h.log, 'contact_deferred')).toEqual([]);
    expect(operations(h.mock, 'openai', SPEECH)).toHaveLength(3);
  });
});
