import { describe, expect, it } from 'vitest';
import { contact, expectLeaseLost, mustClaim, useQueue, type MakeCallQueue } from './harness.ts';

/** Enqueue, claim, complete, fail, status, list and counts. */
export function lifecycleContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('lifecycle', () => {
    it('enqueues new contacts as pending, in enqueue order', async () => {
      const { queue, clock } = await setup();
      expect(await queue.enqueue([contact(1), contact(2), contact(3)])).toEqual({
        added: 3,
        duplicates: 0,
        conflicts: [],
      });
      const listed = await queue.list();
      expect(listed.map((s) => s.id)).toEqual(['c1', 'c2', 'c3']);
      expect(listed[0]).toEqual({
        id: 'c1',
        contact: contact(1),
        state: 'pending',
        claims: 0,
        failedAttempts: 0,
        notBefore: undefined,
        reason: undefined,
        waitingOn: undefined,
        waitsForService: false,
        checkpoints: {},
        updatedAt: clock.now(),
      });
      expect(await queue.counts()).toEqual({
        pending: 3,
        in_progress: 0,
        completed: 0,
        failed: 0,
        deferred: 0,
      });
    });

    it('claims the oldest pending contact first and returns every stored field', async () => {
      const { queue } = await setup();
      const first = contact(1, { company: 'Acme', notes: 'prefers mornings', language: 'de-DE' });
      await queue.enqueue([first, contact(2)]);
      const claimed = await mustClaim(queue);
      expect(claimed.contact).toEqual(first);
      expect(claimed.claims).toBe(1);
      expect(claimed.failedAttempts).toBe(0);
      expect(claimed.checkpoints).toEqual({});
      expect(claimed.leaseToken).toMatch(/.+/);
      expect((await queue.status('c1'))?.state).toBe('in_progress');
      expect((await mustClaim(queue)).contact.id).toBe('c2');
      expect(await queue.claim('w1', 60_000)).toBeUndefined();
    });

    it('returns undefined when the queue is empty', async () => {
      const { queue } = await setup();
      expect(await queue.claim('w1', 1_000)).toBeUndefined();
    });

    it('does not hand a contact to another worker while its lease holds', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      await mustClaim(queue, 'w1', 1_000);
      await clock.advance(999);
      expect(await queue.claim('w2', 1_000)).toBeUndefined();
    });

    it('completes a contact for good', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const claimed = await mustClaim(queue, 'w1', 1_000);
      await clock.advance(10);
      await queue.complete('c1', claimed.leaseToken);
      expect(await queue.status('c1')).toMatchObject({
        state: 'completed',
        reason: undefined,
        updatedAt: clock.now(),
      });
      await clock.advance(3_600_000);
      expect(await queue.claim('w2', 1_000)).toBeUndefined();
    });

    it('fails a contact with its reason, for good', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const claimed = await mustClaim(queue, 'w1', 1_000);
      await queue.fail('c1', claimed.leaseToken, 'invalid number (21211)');
      expect(await queue.status('c1')).toMatchObject({
        state: 'failed',
        reason: 'invalid number (21211)',
      });
      await clock.advance(3_600_000);
      expect(await queue.claim('w2', 1_000)).toBeUndefined();
    });

    it('refuses updates to a finished contact', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue);
      await queue.complete('c1', leaseToken);
      await expectLeaseLost(queue.complete('c1', leaseToken), 'c1');
      await expectLeaseLost(queue.fail('c1', leaseToken, 'x'), 'c1');
      await expectLeaseLost(queue.checkpoint('c1', leaseToken, { script: 'x' }), 'c1');
      const options = { notBefore: clock.now(), reason: 'x', countsAsFailure: false };
      await expectLeaseLost(queue.defer('c1', leaseToken, options), 'c1');
      expect(await queue.renew('c1', leaseToken, 1_000)).toBe(false);
      expect((await queue.status('c1'))?.state).toBe('completed');
    });

    it('knows nothing of an unknown contact', async () => {
      const { queue } = await setup();
      expect(await queue.status('nobody')).toBeUndefined();
      await expectLeaseLost(queue.complete('nobody', 'token'), 'nobody');
      expect(await queue.renew('nobody', 'token', 1_000)).toBe(false);
    });

    it('counts and lists every state', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([1, 2, 3, 4, 5].map((n) => contact(n)));
      const [a, b, c, d] = [
        await mustClaim(queue),
        await mustClaim(queue),
        await mustClaim(queue),
        await mustClaim(queue),
      ];
      await queue.complete(a.contact.id, a.leaseToken);
      await queue.fail(b.contact.id, b.leaseToken, 'opted out');
      const later = clock.now() + 60_000;
      await queue.defer(c.contact.id, c.leaseToken, {
        notBefore: later,
        reason: 'circuit open',
        countsAsFailure: false,
      });
      expect(d.contact.id).toBe('c4');
      expect(await queue.counts()).toEqual({
        pending: 1,
        in_progress: 1,
        completed: 1,
        failed: 1,
        deferred: 1,
      });
      expect((await queue.list('deferred')).map((s) => s.id)).toEqual(['c3']);
      expect((await queue.list('in_progress')).map((s) => s.id)).toEqual(['c4']);
      expect((await queue.list('pending')).map((s) => s.id)).toEqual(['c5']);
      expect((await queue.list()).map((s) => s.state)).toEqual([
        'completed',
        'failed',
        'deferred',
        'in_progress',
        'pending',
      ]);
      expect(await queue.status('c3')).toMatchObject({ notBefore: later, reason: 'circuit open' });
    });

    it('lists at most `limit` contacts, in enqueue order, with what each is and how often it was taken', async () => {
      const { queue } = await setup();
      const first = contact(1, { company: 'Acme', notes: 'mornings', language: 'de-DE' });
      await queue.enqueue([first, contact(2), contact(3)]);
      const { leaseToken } = await mustClaim(queue);
      await queue.fail('c1', leaseToken, 'opted out');
      await mustClaim(queue);
      expect(await queue.list(undefined, { limit: 2 })).toMatchObject([
        { id: 'c1', contact: first, claims: 1 },
        { id: 'c2', contact: contact(2), claims: 1 },
      ]);
      expect((await queue.list('pending', { limit: 5 })).map((s) => s.id)).toEqual(['c3']);
      expect(await queue.list('failed', { limit: 0 })).toEqual([]);
      expect(await queue.status('c2')).toMatchObject({ contact: contact(2), claims: 1 });
    });
  });
}
