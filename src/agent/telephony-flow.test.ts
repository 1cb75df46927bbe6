import { describe, expect, it } from 'vitest';
import {
  agentEvents,
  callLookUps,
  CHAT,
  contactNo,
  operations,
  type FlowHarness,
  TTS,
  useScenarios,
} from './flow-harness.test-support.ts';

/**
 * The telephony step: a bad number fails its contact only, an open circuit defers without
 * blocking the queue, and an ambiguous failure never calls a person twice.
 */

const scenario = useScenarios();

/** How many calls the mock holds per number. */
function callsPerNumber(h: FlowHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of h.mock.twilioCalls) counts.set(call.to, (counts.get(call.to) ?? 0) + 1);
  return counts;
}

describe('the telephony step', () => {
  it("a bad number ('21211', '21610') fails that contact only; the breaker stays CLOSED", async () => {
    const h = await scenario({
      contacts: 4,
      faults: { twilio: { script: ['21211', '21610'] } },
      // a single counted failure would open the circuit
      config: { services: { twilio: { circuit_breaker: { failure_threshold: 1 } } } },
    });
    expect(await h.finish()).toBe('drained');

    const [first, second, third, fourth] = h.contacts.map((c) => c.id);
    expect(await h.queue.status(first!)).toMatchObject({ state: 'failed', failedAttempts: 0 });
    expect((await h.queue.status(first!))?.reason).toMatch(/^Twilio: .*not a valid phone number/);
    expect(await h.queue.status(second!)).toMatchObject({ state: 'failed' });
    expect((await h.queue.status(second!))?.reason).toMatch(/^Twilio: .*unsubscribed recipient/);
    expect(await h.queue.status(third!)).toMatchObject({ state: 'completed' });
    expect(await h.queue.status(fourth!)).toMatchObject({ state: 'completed' });
    expect(agentEvents(h.log, 'contact_failed').map((e) => [e.contactId, e.service])).toEqual([
      [first, 'Twilio'],
      [second, 'Twilio'],
    ]);

    const twilio = h.policy('Twilio');
    expect(twilio.state).toBe('CLOSED');
    expect(h.log.filter((e) => e.source === 'state' && e.service === 'Twilio')).toEqual([]);
    expect(h.log.filter((e) => e.source === 'rejected')).toEqual([]);
    // not retried: one create per bad number, and the next numbers were called
    expect(operations(h.mock, 'twilio')).toHaveLength(4);
    expect(h.mock.twilioCalls.map((c) => c.to)).toEqual([contactNo(3).phone, contactNo(4).phone]);
  });

  it('an open circuit defers the contact and the worker moves on at once (no head-of-line blocking)', async () => {
    const h = await scenario({
      contacts: 5,
      concurrency: 1,
      faults: { twilio: { outages: [{ durationMs: 60_000, fault: '503' }] } },
      config: { services: { twilio: { retry: { max_retries: 0 } } } },
    });
    const t0 = h.clock.now();
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 5, failed: 0 });

    const firstCall = Math.min(...h.mock.twilioCalls.map((c) => c.createdAt));
    expect(firstCall).toBeGreaterThanOrEqual(t0 + 60_000);
    // the two whose calls failed had their script and audio; the others were refused before
    // anything was paid for, all in the first instant
    const scripts = operations(h.mock, 'openai', CHAT);
    const speech = operations(h.mock, 'elevenlabs', TTS);
    expect(scripts).toHaveLength(5);
    expect(speech).toHaveLength(5);
    expect([...scripts, ...speech].filter((r) => r.at === t0)).toHaveLength(4);

    const opened = h.log.findIndex((e) => e.source === 'state' && e.to === 'OPEN');
    expect(opened).toBeGreaterThan(-1);
    const skipped = h.contacts.slice(2).map((c) => c.id);
    for (const id of skipped) {
      const rejected = h.log.findIndex(
        (e) => e.source === 'rejected' && e.service === 'Twilio' && e.context.contactId === id,
      );
      expect(rejected).toBeGreaterThan(opened);
      expect(agentEvents(h.log, 'contact_deferred')).toContainEqual(
        expect.objectContaining({
          contactId: id,
          service: 'Twilio',
          reason: 'Twilio circuit OPEN',
          countsAsFailure: false,
          timestamp: t0,
        }),
      );
      expect((await h.queue.status(id))?.failedAttempts).toBe(0);
    }
    // the resumed contacts went straight to the call: one script and one voice each
    expect([...callsPerNumber(h).values()]).toEqual([1, 1, 1, 1, 1]);
  });

  it.each([
    { fault: 'accept-then-reset', lookupScript: [], deferred: false },
    { fault: 'accept-then-502', lookupScript: [], deferred: false },
    { fault: 'accept-then-reset', lookupScript: ['503'], deferred: false },
    // every look-up of the call fails: the contact waits, then looks up again when resumed
    { fault: 'accept-then-502', lookupScript: Array<string>(4).fill('503'), deferred: true },
  ])(
    'an ambiguous create ($fault, $lookupScript.length failed look-ups) → one call per number',
    async ({ fault, lookupScript, deferred }) => {
      const h = await scenario({
        contacts: 3,
        faults: { twilio: { script: [fault], lookupScript } },
        config: { services: { twilio: { retry: { initial_delay: 1 } } } },
      });
      expect(await h.finish()).toBe('drained');

      expect(await h.queue.counts()).toMatchObject({ completed: 3, failed: 0 });
      expect(h.mock.twilioCalls).toHaveLength(3);
      expect([...callsPerNumber(h).values()]).toEqual([1, 1, 1]);
      const first = contactNo(1);
      const created = h.mock.twilioCalls.find((c) => c.to === first.phone);
      expect((await h.queue.status(first.id))?.checkpoints.callSid).toBe(created?.sid);
      expect(callLookUps(h.mock).length).toBeGreaterThan(lookupScript.length);
      expect(agentEvents(h.log, 'contact_deferred').some((e) => e.contactId === first.id)).toBe(
        deferred,
      );
      // the ambiguous create was the only one for that number: later attempts only looked up
      const creates = operations(h.mock, 'twilio').filter((r) =>
        r.body.includes(encodeURIComponent(first.phone)),
      );
      expect(creates.map((r) => r.fault)).toEqual([fault]);
    },
  );
});
