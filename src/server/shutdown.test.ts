import { describe, expect, it } from 'vitest';
import { SqliteCallQueue } from '../queue/index.ts';
import { VirtualClock } from '../resilience/index.ts';
import { createServeHarness } from './serve-harness.test-support.ts';

const contacts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `c${i + 1}`,
    name: `Contact ${i + 1}`,
    phone: `+1415555${String(300 + i).padStart(4, '0')}`,
  }));

/** Starts the graceful shutdown; `done()` says when it has finished. */
function shutDown(h: Awaited<ReturnType<typeof createServeHarness>>) {
  let finished = false;
  const closing = h.session.shutdown().finally(() => (finished = true));
  return { closing, done: () => finished };
}

describe('graceful shutdown', () => {
  it('readyz fails at once, nothing new is taken, calls in flight finish within the deadline', async () => {
    const clock = new VirtualClock();
    // Twilio answers after 1 s; the drain deadline is 2 s
    const h = await createServeHarness({
      clock,
      concurrency: 1,
      faults: { twilio: { latencyMs: 1_000 } },
    });
    await h.request({ method: 'POST', url: '/calls', payload: contacts(3) });
    await clock.runUntil(() => h.mock.requests('twilio').length === 1);
    const { closing, done } = shutDown(h);
    expect((await h.request({ method: 'GET', url: '/readyz' })).json()).toEqual({
      error: 'not_ready',
      message: 'shutting down',
    });
    expect((await h.request({ method: 'GET', url: '/livez' })).statusCode).toBe(200);
    const refused = await h.request({ method: 'POST', url: '/calls', payload: contacts(1) });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toEqual({
      error: 'shutting_down',
      message: 'the server is shutting down',
    });
    await clock.runUntil(done);
    await closing;

    const queue = new SqliteCallQueue({ path: h.db, clock });
    expect(await queue.counts()).toMatchObject({ completed: 1, pending: 2, in_progress: 0 });
    await queue.close();
  });

  it('a call still in flight at the deadline goes back to the queue, due at once', async () => {
    const clock = new VirtualClock();
    const h = await createServeHarness({
      clock,
      concurrency: 1,
      faults: { twilio: { latencyMs: 60_000 } },
    });
    await h.request({ method: 'POST', url: '/calls', payload: contacts(2) });
    await clock.runUntil(() => h.mock.requests('twilio').length === 1);
    const stoppedAt = clock.now();
    const { closing, done } = shutDown(h);
    await clock.runUntil(done);
    await closing;
    expect(clock.now() - stoppedAt).toBe(2_000); // the drain deadline, not the call's minute

    const queue = new SqliteCallQueue({ path: h.db, clock });
    expect(await queue.status('c1')).toMatchObject({
      state: 'deferred',
      reason: 'stopped before the contact finished',
      failedAttempts: 0,
      notBefore: stoppedAt + 2_000,
    });
    expect(await queue.status('c2')).toMatchObject({ state: 'pending', claims: 0 });
    await queue.close();
    expect(h.lines.filter((line) => line.event === 'shutdown').map((line) => line.message)).toEqual(
      [
        'Shutting down: no new contact is taken; 1 contact in flight gets 2 s to finish',
        '1 contact in flight went back to the queue',
      ],
    );
  });
});
