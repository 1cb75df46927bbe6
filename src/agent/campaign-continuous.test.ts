import { describe, expect, it } from 'vitest';
import { agentEvents, contactNo, operations, useScenarios } from './flow-harness.test-support.ts';

/** `call-agent serve`'s worker: it goes on when the queue is empty, and pauses on demand. */

const scenario = useScenarios();
const completed = (h: Awaited<ReturnType<typeof scenario>>): string[] =>
  agentEvents(h.log, 'contact_completed').map((e) => e.contactId);

describe('a continuous campaign', () => {
  it('an empty queue is idle, not the end: contacts added later are called at once', async () => {
    const h = await scenario({ contacts: 2, continuous: true });
    h.start();
    await h.runUntil(() => completed(h).length === 2);
    let ended = false;
    const running = h.finish().then((end) => {
      ended = true;
      return end;
    });
    await h.clock.advance(600_000); // ten minutes with nothing to do
    expect(ended).toBe(false);

    const t = h.clock.now();
    await h.queue.enqueue([contactNo(3)]);
    h.campaign.wake();
    await h.runUntil(() => completed(h).length === 3);
    expect(h.clock.now()).toBe(t); // woken: no poll interval waited for
    h.stop();
    expect(await running).toBe('aborted');
  });

  it('paused, it claims nothing; resumed, it calls everyone', async () => {
    const h = await scenario({ contacts: 3, continuous: true });
    h.campaign.pause();
    h.start();
    await h.clock.advance(600_000);
    expect(await h.queue.counts()).toMatchObject({ pending: 3, completed: 0 });
    expect(operations(h.mock, 'openai')).toEqual([]);
    h.campaign.resume();
    expect(h.campaign.paused).toBe(false);
    await h.runUntil(() => completed(h).length === 3);
    h.stop();
    await h.finish();
  });

  it('a pause lets the contacts in flight finish, and says when none is left', async () => {
    const h = await scenario({
      contacts: 4,
      concurrency: 2,
      continuous: true,
      faults: { twilio: { latencyMs: 5_000 } },
    });
    h.start();
    await h.runUntil(() => operations(h.mock, 'twilio').length === 2);
    h.campaign.pause();
    expect(h.campaign.inFlight).toBe(2);
    let none = false;
    void h.campaign.whenNoneInFlight().then(() => (none = true));
    await h.runUntil(() => none);
    expect(completed(h)).toEqual(['Contact-1', 'Contact-2']);
    await h.clock.advance(60_000);
    expect(await h.queue.counts()).toMatchObject({ pending: 2, in_progress: 0, completed: 2 });
    h.campaign.resume();
    await h.runUntil(() => completed(h).length === 4);
    h.stop();
    await h.finish();
  });
});
