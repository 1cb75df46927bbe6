import { describe, expect, it } from 'vitest';
import { agentEvents, CHAT, operations, useScenarios } from './flow-harness.test-support.ts';
import type { VirtualClock } from '../resilience/index.ts';
import { WorkingClock } from './working-clock.test-support.ts';

/** The campaign as a whole: skipping, giving up, nothing lost, bounded concurrency. */

const scenario = useScenarios();

describe('the campaign', () => {
  it('an open circuit → CallRejectedEvent per skipped contact, deferred, the queue keeps moving', async () => {
    const h = await scenario({
      contacts: 5,
      // a rejected key is permanent for the service: the first contact opens the circuit (the
      // key is fixed at once: the next health probe proves it and closes the circuit)
      faults: { elevenlabs: { script: ['invalid_api_key'] } },
    });
    const t0 = h.clock.now();
    const elevenLabs = h.policy('ElevenLabs');
    h.start();
    await h.runUntil(() => agentEvents(h.log, 'contact_deferred').length === 5);

    // all five were handled in the first instant: nobody waited for the open circuit
    expect(h.clock.now()).toBe(t0);
    expect(elevenLabs.state).toBe('OPEN');
    expect(h.log.find((e) => e.source === 'state')).toMatchObject({
      service: 'ElevenLabs',
      to: 'OPEN',
      reason: 'permanent_error',
      context: { contactId: 'Contact-1' },
    });
    const rejected = h.log.filter((e) => e.source === 'rejected');
    const skipped = h.contacts.slice(1).map((c) => c.id);
    expect(rejected.map((e) => e.context.contactId)).toEqual(skipped);
    for (const event of rejected) {
      expect(event).toMatchObject({
        service: 'ElevenLabs',
        reason: 'circuit_open',
        circuitState: 'OPEN',
        retryAfterMs: elevenLabs.nextAttemptAt() - t0,
      });
    }
    for (const id of skipped) {
      expect(await h.queue.status(id)).toMatchObject({
        state: 'deferred',
        failedAttempts: 0,
        reason: 'ElevenLabs circuit OPEN',
        waitingOn: 'ElevenLabs',
        waitsForService: true,
      });
    }
    // refused before anything was paid for: no script for those who were skipped
    expect(operations(h.mock, 'openai', CHAT)).toHaveLength(1);
    // the one that hit the bad key is not to blame either
    expect(await h.queue.status('Contact-1')).toMatchObject({
      state: 'deferred',
      failedAttempts: 0,
    });
    expect(operations(h.mock, 'elevenlabs')).toHaveLength(1);

    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 5, failed: 0 });
    expect(h.mock.twilioCalls).toHaveLength(5);
  });

  it('a contact failing transiently while the circuit stays CLOSED fails after max_failed_attempts; nothing is lost', async () => {
    const h = await scenario({
      contacts: 6,
      maxFailedAttempts: 2,
      faults: {
        // Twilio down for 30 s, and each script takes 4 s: the contacts reach Twilio one by
        // one, the early ones use up their attempts, the late ones get through
        twilio: { outages: [{ durationMs: 30_000, fault: '503' }] },
        openai: { latencyMs: 4_000 },
      },
      config: {
        services: {
          twilio: { retry: { max_retries: 0 }, circuit_breaker: { failure_threshold: 100 } },
        },
      },
    });
    expect(await h.finish()).toBe('drained');

    const counts = await h.queue.counts();
    expect(counts).toMatchObject({ pending: 0, in_progress: 0, deferred: 0 });
    expect(counts.completed + counts.failed).toBe(6);
    expect(counts.failed).toBeGreaterThan(0);
    expect(counts.completed).toBeGreaterThan(0);

    expect(h.policy('Twilio').state).toBe('CLOSED');
    expect(h.log.filter((e) => e.source === 'state' && e.service === 'Twilio')).toEqual([]);
    const failedEvents = agentEvents(h.log, 'contact_failed');
    const failed = await h.queue.list('failed');
    expect(failed.map((s) => s.id).sort()).toEqual(failedEvents.map((e) => e.contactId).sort());
    for (const status of failed) {
      expect(status.failedAttempts).toBe(2);
      expect(status.reason).toMatch(/^gave up after 2 failed attempts: Twilio: 503/);
      expect(failedEvents.find((e) => e.contactId === status.id)?.service).toBe('Twilio');
      const phone = h.contacts.find((c) => c.id === status.id)?.phone;
      expect(h.mock.twilioCalls.filter((c) => c.to === phone)).toEqual([]);
    }
    for (const status of await h.queue.list('completed')) {
      const phone = h.contacts.find((c) => c.id === status.id)?.phone;
      expect(h.mock.twilioCalls.filter((c) => c.to === phone)).toHaveLength(1);
    }
  });

  it('with concurrency 4, at most 4 contacts are in flight at once', async () => {
    const h = await scenario({
      contacts: 10,
      concurrency: 4,
      faults: { twilio: { latencyMs: 2_000 } },
    });
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 10 });

    // each create call is in flight for the 2 s of latency
    const creates = operations(h.mock, 'twilio').map((r) => r.at);
    expect(creates).toHaveLength(10);
    const inFlightAt = (t: number): number =>
      creates.filter((at) => at <= t && t < at + 2_000).length;
    const peak = Math.max(...creates.map(inFlightAt));
    expect(peak).toBe(4);
    // contacts: started (first step) and settled (last event) per contact, overlap ≤ 4
    const spans = h.contacts.map((c) => {
      const times = h.log
        .filter(
          (e) =>
            (e.source === 'succeeded' && e.context.contactId === c.id) ||
            (e.source === 'agent' && 'contactId' in e && e.contactId === c.id),
        )
        .map((e) => e.timestamp);
      return { from: Math.min(...times), to: Math.max(...times) };
    });
    const overlapping = (t: number) => spans.filter((s) => s.from <= t && t < s.to).length;
    expect(Math.max(...spans.map((s) => overlapping(s.from)))).toBe(4);
  });
});

/**
 * A task on the clock, due after `firstInMs` and then again at once after each of its turns,
 * until `count()` reaches `until`: what `count()` was at each of its turns.
 */
function everyTurn(
  clock: VirtualClock,
  count: () => number,
  until: number,
  firstInMs = 0,
): number[] {
  const seen: number[] = [];
  const look = (): void => {
    seen.push(count());
    if (count() < until) clock.setTimer(look, 0);
  };
  clock.setTimer(look, firstInMs);
  return seen;
}

describe('the event loop', () => {
  it('gets a turn between two contacts even when every step of them finishes synchronously', async () => {
    // A circuit held open: each contact is claimed, refused and deferred without any I/O (the
    // queue is SQLite, synchronous behind `async`): a slot that never yielded would go
    // through all of them before a timer could run.
    const h = await scenario({ contacts: 30 });
    h.policy('ElevenLabs').open();
    const deferred = (): number => agentEvents(h.log, 'contact_deferred').length;
    const seen = everyTurn(h.clock, deferred, 30);
    h.start();
    await h.runUntil(() => seen.at(-1) === 30);

    // one contact per turn (a slot that never yielded: [30])
    expect(seen).toEqual(Array.from({ length: 31 }, (_, i) => i));
  });

  it('slots that start together take turns: a turn runs about 10 ms of their work', async () => {
    const clock = new WorkingClock();
    const h = await scenario({ contacts: 9, concurrency: 9, clock });
    h.policy('ElevenLabs').open();
    // each contact costs 4 ms of synchronous work (claim, refusal, deferral, log line)
    h.campaign.events.subscribe((e) => {
      if (e.type === 'contact_deferred') clock.work(4);
    });
    const deferred = (): number => agentEvents(h.log, 'contact_deferred').length;
    const seen = everyTurn(clock, deferred, 9);
    h.start();
    await h.runUntil(() => seen.at(-1) === 9);

    // three a turn (at 0, 4 and 8 ms the slice lasts), not all nine in one
    expect(seen).toEqual([0, 3, 6, 9]);
  });

  it('answers that arrive together take turns: a turn runs about 10 ms of what follows them', async () => {
    const clock = new WorkingClock();
    const h = await scenario({
      contacts: 9,
      concurrency: 9,
      clock,
      faults: { openai: { latencyMs: 1_000 } },
    });
    // the nine scripts are asked for at once and come back together, 1 s later; by then
    // the voice's circuit is open, so each contact is deferred at once: 4 ms of work each
    clock.setTimer(() => h.policy('ElevenLabs').open(), 500);
    h.campaign.events.subscribe((e) => {
      if (e.type === 'contact_deferred') clock.work(4);
    });
    const deferred = (): number => agentEvents(h.log, 'contact_deferred').length;
    // due when the answers are, and before them
    const seen = everyTurn(clock, deferred, 9, 1_000);
    h.start();
    await h.runUntil(() => seen.at(-1) === 9);

    expect(operations(h.mock, 'openai', CHAT)).toHaveLength(9);
    expect(seen).toEqual([0, 3, 6, 9]);
  });
});

describe('an exhausted quota', () => {
  it('keeps the circuit open until the quota resets: no request meanwhile, one reopening a period', async () => {
    const h = await scenario({
      contacts: 30,
      concurrency: 2,
      // about 6 scripts an hour
      elevenLabs: { characterLimit: 2_000, quotaPeriodMs: 3_600_000 },
    });
    const t0 = h.clock.now();
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 30, failed: 0 });
    const opened = h.log.filter(
      (e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'OPEN',
    );
    const hours = Math.ceil((h.clock.now() - t0) / 3_600_000);
    // one opening per quota period it ran out in (none that a too-early probe caused)
    expect(opened.length).toBeLessThanOrEqual(hours);
    // no text was sent to ElevenLabs while the quota was spent: every request after an
    // opening waited for the next period
    for (const open of opened) {
      if (open.source !== 'state') continue;
      const resetAt = t0 + Math.ceil((open.timestamp - t0) / 3_600_000) * 3_600_000;
      const meanwhile = h.log.filter(
        (e) =>
          (e.source === 'succeeded' || e.source === 'failed') &&
          e.service === 'ElevenLabs' &&
          e.timestamp > open.timestamp &&
          e.timestamp < resetAt,
      );
      expect(meanwhile).toEqual([]);
    }
    expect(h.mock.twilioCalls).toHaveLength(30);
  });
});
