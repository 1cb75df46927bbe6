import { describe, expect, it } from 'vitest';
import { OpenAiSpeech } from '../providers/index.ts';
import { MemoryAudioStore } from './audio-store.ts';
import {
  agentEvents,
  CHAT,
  contactNo,
  crmContactId,
  operations,
  SPEECH,
  TTS,
  useScenarios,
} from './flow-harness.test-support.ts';

/**
 * The call flow's degradation rules (docs/architecture.md), through a real Campaign over the real
 * adapters, the SQLite queue and the in-process mock providers, on virtual time.
 */

const scenario = useScenarios();

describe('the call flow', () => {
  it('happy path: every contact completed, each step once per contact, CRM records, events', async () => {
    const h = await scenario({ contacts: 3, concurrency: 2 });
    expect(await h.finish()).toBe('drained');

    expect(await h.queue.counts()).toMatchObject({ completed: 3, failed: 0, deferred: 0 });
    expect(operations(h.mock, 'openai', CHAT)).toHaveLength(3);
    expect(operations(h.mock, 'elevenlabs', TTS)).toHaveLength(3);
    expect(operations(h.mock, 'twilio')).toHaveLength(3);
    expect(operations(h.mock, 'hubspot')).toHaveLength(3);
    expect(operations(h.mock, 'openai', SPEECH)).toHaveLength(0);
    expect(h.mock.twilioCalls.map((c) => c.to).sort()).toEqual(h.contacts.map((c) => c.phone));
    expect(h.mock.crmRecords.map(crmContactId).sort()).toEqual(h.contacts.map((c) => c.id));
    expect(h.mock.crmRecords.every((r) => !r.properties.hs_call_title?.includes('degraded'))).toBe(
      true,
    );

    const completed = agentEvents(h.log, 'contact_completed');
    expect(completed.map((e) => e.contactId).sort()).toEqual(h.contacts.map((c) => c.id));
    expect(completed.every((e) => !e.degraded)).toBe(true);
    for (const event of completed) {
      const status = await h.queue.status(event.contactId);
      expect(status?.checkpoints).toMatchObject({
        scriptDegraded: false,
        voiceProvider: 'ElevenLabs',
        callSid: event.callSid,
        crmDone: 'recorded',
      });
      expect(h.mock.twilioCalls.map((c) => c.sid)).toContain(event.callSid);
    }
    const succeeded = h.log.filter((e) => e.source === 'succeeded').map((e) => e.service);
    for (const service of ['OpenAI', 'ElevenLabs', 'Twilio', 'HubSpot']) {
      expect(succeeded.filter((s) => s === service)).toHaveLength(3);
    }
    expect(h.log.some((e) => e.source === 'failed' || e.source === 'state')).toBe(false);
    expect(agentEvents(h.log, 'step_degraded')).toEqual([]);
  });

  it.each([
    ['an OpenAI outage (retries exhausted, breaker open)', { outages: [{ fault: '503' }] }],
    ["OpenAI's 'insufficient_quota' (breaker open at once)", { script: ['insufficient_quota'] }],
  ])('LLM unavailable through %s → template script, call goes on, degraded', async (_, openai) => {
    const h = await scenario({
      contacts: 3,
      faults: { openai },
      config: { services: { openai: { retry: { max_retries: 1, initial_delay: 1 } } } },
    });
    expect(await h.finish()).toBe('drained');

    expect(await h.queue.counts()).toMatchObject({ completed: 3, failed: 0 });
    expect(
      h.log.some((e) => e.source === 'state' && e.service === 'OpenAI' && e.to === 'OPEN'),
    ).toBe(true);
    const degraded = agentEvents(h.log, 'step_degraded');
    for (const contact of h.contacts) {
      const status = await h.queue.status(contact.id);
      expect(status?.checkpoints.scriptDegraded).toBe(true);
      expect(status?.checkpoints.script).toContain('this is an automated call');
      expect(status?.checkpoints.voiceProvider).toBe('ElevenLabs');
      expect(degraded).toContainEqual(
        expect.objectContaining({
          contactId: contact.id,
          service: 'OpenAI',
          fallback: 'template script',
        }),
      );
    }
    expect(agentEvents(h.log, 'contact_completed').every((e) => e.degraded)).toBe(true);
    expect(h.mock.twilioCalls).toHaveLength(3);
    expect(h.mock.crmRecords).toHaveLength(3);
    for (const record of h.mock.crmRecords) {
      expect(record.properties.hs_call_title).toMatch(/\(degraded\)$/);
      expect(record.properties.hs_call_body).toContain('this is an automated call');
    }
  });

  it('TTS unavailable with a fallback → fallback voice, degraded; ElevenLabs again once healthy', async () => {
    const h = await scenario({
      contacts: 6,
      env: { TTS_FALLBACK_PROVIDER: 'openai' },
      // each call takes 4 s, so the contacts spread over the outage and the recovery
      faults: {
        elevenlabs: { outages: [{ durationMs: 12_000, fault: '503' }] },
        twilio: { latencyMs: 4_000 },
      },
      config: {
        services: {
          elevenlabs: {
            retry: { max_retries: 0 },
            // long enough that the health check, not a half-open call, closes the breaker
            circuit_breaker: { recovery_timeout: 60 },
          },
        },
      },
    });
    expect(h.providers.ttsFallback).toBeInstanceOf(OpenAiSpeech);
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 6, failed: 0 });

    const closed = h.log.find(
      (e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'CLOSED',
    );
    expect(closed).toMatchObject({ reason: 'health_check' });
    const closedAt = closed?.timestamp ?? Infinity;
    const opened = h.log.find(
      (e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'OPEN',
    );
    expect(opened?.timestamp).toBeLessThan(closedAt);

    const degraded = agentEvents(h.log, 'step_degraded');
    const completed = agentEvents(h.log, 'contact_completed');
    const voiceOf = new Map<string, string | undefined>();
    for (const contact of h.contacts) {
      voiceOf.set(contact.id, (await h.queue.status(contact.id))?.checkpoints.voiceProvider);
    }
    const byFallback = h.contacts.filter((c) => voiceOf.get(c.id) === 'OpenAI TTS');
    const byElevenLabs = h.contacts.filter((c) => voiceOf.get(c.id) === 'ElevenLabs');
    expect(byFallback.length).toBeGreaterThan(0);
    expect(byElevenLabs.length).toBeGreaterThan(0);
    expect(byFallback.length + byElevenLabs.length).toBe(6);
    for (const contact of byFallback) {
      expect(degraded).toContainEqual(
        expect.objectContaining({
          contactId: contact.id,
          service: 'ElevenLabs',
          fallback: 'fallback voice OpenAI TTS',
        }),
      );
      expect(completed).toContainEqual(
        expect.objectContaining({ contactId: contact.id, degraded: true }),
      );
    }
    for (const contact of byElevenLabs) {
      expect(completed).toContainEqual(
        expect.objectContaining({ contactId: contact.id, degraded: false }),
      );
    }
    // the fallback spoke only during the outage; after the health check, ElevenLabs again
    const speech = operations(h.mock, 'openai', SPEECH);
    expect(speech).toHaveLength(byFallback.length);
    expect(speech.every((r) => r.at < closedAt)).toBe(true);
    const spoken = operations(h.mock, 'elevenlabs', TTS);
    const spokenAfter = spoken.filter((r) => r.at >= closedAt);
    expect(spokenAfter.length).toBe(byElevenLabs.length);
    expect(spokenAfter.every((r) => r.fault === 'ok')).toBe(true);
    expect(spoken.filter((r) => r.at < closedAt).every((r) => r.fault === '503')).toBe(true);
    // contacts are taken in order: the later ones are the ones back on ElevenLabs
    expect(byElevenLabs.map((c) => c.id)).toEqual(
      h.contacts.slice(-byElevenLabs.length).map((c) => c.id),
    );
    const degradedRecords = h.mock.crmRecords.filter((r) =>
      r.properties.hs_call_title?.endsWith('(degraded)'),
    );
    expect(degradedRecords.map(crmContactId).sort()).toEqual(byFallback.map((c) => c.id).sort());
  });

  it('TTS unavailable without a fallback → waits until TTS is back, uncounted, done after recovery', async () => {
    const h = await scenario({
      contacts: 4,
      faults: { elevenlabs: { outages: [{ durationMs: 30_000, fault: '503' }] } },
      config: { services: { elevenlabs: { retry: { max_retries: 1, initial_delay: 1 } } } },
    });
    const elevenLabs = h.policy('ElevenLabs');
    const skipped = contactNo(3).id;
    h.start();
    // Contact-1 and Contact-2 exhaust their retries and open the circuit; Contact-3 is refused
    await h.runUntil(() =>
      agentEvents(h.log, 'contact_deferred').some((e) => e.contactId === skipped),
    );
    expect(elevenLabs.state).toBe('OPEN');
    const status = await h.queue.status(skipped);
    expect(status).toMatchObject({
      state: 'deferred',
      failedAttempts: 0,
      waitingOn: 'ElevenLabs',
      waitsForService: true,
    });
    expect(status?.reason).toMatch(/ElevenLabs circuit OPEN/);
    // refused before its script was asked for: nothing is paid for a call that cannot go on
    expect(status?.checkpoints.script).toBeUndefined();
    // the one whose voice failed after its script kept the script with the deferral
    expect((await h.queue.status(contactNo(2).id))?.checkpoints.script).toMatch(/.+/);
    const deferred = agentEvents(h.log, 'contact_deferred').find((e) => e.contactId === skipped);
    expect(deferred).toEqual({
      source: 'agent',
      type: 'contact_deferred',
      timestamp: h.clock.now(),
      contactId: skipped,
      service: 'ElevenLabs',
      notBefore: h.clock.now(),
      reason: status?.reason,
      countsAsFailure: false,
      untilReleased: true,
    });
    expect(h.mock.twilioCalls).toHaveLength(0);

    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 4, failed: 0 });
    for (const contact of h.contacts) {
      const done = await h.queue.status(contact.id);
      expect(done?.checkpoints.voiceProvider).toBe('ElevenLabs');
      expect(done?.failedAttempts).toBeLessThanOrEqual(1);
    }
    // only Contact-1 counts a failed attempt: it failed while the circuit was still closed;
    // Contact-2's failure opened it, and the others were refused or probed while it was open
    expect((await h.queue.status(contactNo(1).id))?.failedAttempts).toBe(1);
    expect((await h.queue.status(contactNo(2).id))?.failedAttempts).toBe(0);
    expect((await h.queue.status(skipped))?.failedAttempts).toBe(0);
    expect(h.mock.twilioCalls).toHaveLength(4);
    // one script per contact: a resumed contact did not ask the LLM again
    expect(operations(h.mock, 'openai', CHAT)).toHaveLength(4);
    const closed = h.log.find(
      (e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'CLOSED',
    );
    expect(closed).toBeDefined();
    expect(h.mock.twilioCalls.every((c) => c.createdAt >= (closed?.timestamp ?? Infinity))).toBe(
      true,
    );
  });

  it('CRM unavailable → outbox, the contact completes; replayed once HubSpot is back', async () => {
    const h = await scenario({
      contacts: 4,
      faults: { hubspot: { outages: [{ durationMs: 40_000, fault: '503' }] } },
      config: { services: { hubspot: { retry: { max_retries: 1, initial_delay: 1 } } } },
    });
    const t0 = h.clock.now();
    h.start();
    await h.runUntil(() => agentEvents(h.log, 'contact_completed').length === 4);
    expect(h.clock.now()).toBeLessThan(t0 + 40_000);
    expect(await h.queue.counts()).toMatchObject({ completed: 4 });
    expect(await h.queue.outboxSize()).toBe(4);
    expect(h.mock.crmRecords).toHaveLength(0);
    for (const contact of h.contacts) {
      expect((await h.queue.status(contact.id))?.checkpoints.crmDone).toBe('outbox');
    }
    expect(agentEvents(h.log, 'step_degraded').map((e) => [e.contactId, e.fallback])).toEqual(
      h.contacts.map((c) => [c.id, 'CRM outbox']),
    );

    expect(await h.finish()).toBe('drained');
    expect(h.clock.now()).toBeGreaterThanOrEqual(t0 + 40_000);
    expect(await h.queue.outboxSize()).toBe(0);
    expect(h.mock.crmRecords.map(crmContactId).sort()).toEqual(h.contacts.map((c) => c.id));
    expect(agentEvents(h.log, 'outbox_replayed').map((e) => e.contactId)).toEqual(
      h.contacts.map((c) => c.id),
    );
    expect(h.mock.twilioCalls).toHaveLength(4);
  });

  it('a record the CRM refuses (400) is not put in the outbox and blocks nothing', async () => {
    const h = await scenario({
      contacts: 3,
      faults: { hubspot: { script: ['400'] } },
    });
    h.start();
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 3 });
    expect(await h.queue.outboxSize()).toBe(0);
    expect(h.mock.crmRecords).toHaveLength(2);
    const refused = agentEvents(h.log, 'step_degraded');
    expect(refused.map((e) => e.fallback)).toEqual(['no CRM record (refused)']);
    expect((await h.queue.status(refused[0]!.contactId))?.checkpoints.crmDone).toBe('rejected');
  });
});

describe('a bug in the agent', () => {
  it('is reported with its stack, counted against the contact, and the run goes on', async () => {
    let saves = 0;
    const h = await scenario({
      contacts: 1,
      // a store of our own (the AudioStore port) with a bug in its first save
      audio: {
        async save() {
          if (saves++ === 0) {
            const broken = undefined as unknown as { ref: string };
            return broken.ref; // TypeError
          }
          return 'audio.wav';
        },
        urlFor: () => undefined,
        load: async () => undefined,
        has: async () => true,
        release: async () => undefined,
      },
    });
    expect(await h.finish()).toBe('drained');
    const bugs = agentEvents(h.log, 'programming_error');
    expect(bugs).toHaveLength(1);
    expect(bugs[0]).toMatchObject({
      contactId: 'Contact-1',
      message: expect.stringContaining('ref'),
    });
    expect(bugs[0]?.stack).toContain('call-flow.test.ts');
    const deferred = agentEvents(h.log, 'contact_deferred');
    expect(deferred).toMatchObject([
      { countsAsFailure: true, reason: expect.stringMatching(/^unexpected error/) },
    ]);
    expect(await h.queue.status('Contact-1')).toMatchObject({
      state: 'completed',
      failedAttempts: 1,
    });
    // not the voice's failure: its circuit never moved
    expect(h.log.filter((e) => e.source === 'state')).toEqual([]);
  });
});

describe('a template script followed by a deferral', () => {
  it('gives way to the LLM when the contact resumes: a short LLM outage degrades nobody', async () => {
    const h = await scenario({
      contacts: 3,
      faults: {
        openai: { outages: [{ durationMs: 13_000, fault: '503' }] },
        elevenlabs: { outages: [{ durationMs: 60_000, fault: '503' }] },
      },
      config: { retry: { max_retries: 0 } },
    });
    expect(await h.finish()).toBe('drained');
    expect(
      agentEvents(h.log, 'step_degraded').filter((e) => e.fallback === 'template script'),
    ).not.toHaveLength(0);
    for (const contact of h.contacts) {
      const done = await h.queue.status(contact.id);
      expect(done).toMatchObject({ state: 'completed', checkpoints: { scriptDegraded: false } });
    }
    expect(
      h.mock.crmRecords.filter((r) => r.properties.hs_call_title?.endsWith('(degraded)')),
    ).toEqual([]);
  });

  it('keeps the template once it is older than llm.retry_template_for', async () => {
    const h = await scenario({
      contacts: 1,
      faults: {
        openai: { outages: [{ durationMs: 13_000, fault: '503' }] },
        elevenlabs: { outages: [{ durationMs: 60_000, fault: '503' }] },
      },
      config: { retry: { max_retries: 0 }, llm: { retry_template_for: 5 } },
    });
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.status('Contact-1')).toMatchObject({
      state: 'completed',
      checkpoints: { scriptDegraded: true },
    });
    expect(operations(h.mock, 'openai', CHAT)).toHaveLength(1);
  });
});

describe('the audio of a call', () => {
  it('is given up once the call is placed, and made again if it was swept while the contact waited', async () => {
    const audio = new MemoryAudioStore();
    const h = await scenario({
      contacts: 2,
      audio,
      faults: { twilio: { outages: [{ durationMs: 30_000, fault: '503' }] } },
      config: { services: { twilio: { retry: { max_retries: 0 } } } },
    });
    h.start();
    // both have their audio and wait for Twilio
    await h.runUntil(() => agentEvents(h.log, 'contact_deferred').length === 2);
    const first = (await h.queue.status('Contact-1'))?.checkpoints.audioRef;
    expect(first).toBeDefined();
    await audio.release(first!); // swept away while the contact waited
    expect(await h.finish()).toBe('drained');
    // Contact-1 spoke again; Contact-2's audio was still there
    expect(operations(h.mock, 'elevenlabs', TTS)).toHaveLength(3);
    for (const contact of h.contacts) {
      const ref = (await h.queue.status(contact.id))?.checkpoints.audioRef;
      expect(ref).toBeDefined();
      expect(await audio.has(ref!)).toBe(false); // given up after the call was placed
    }
    expect(h.mock.twilioCalls).toHaveLength(2);
  });
});
