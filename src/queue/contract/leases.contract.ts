import { describe, expect, it } from 'vitest';
import { contact, expectLeaseLost, mustClaim, useQueue, type MakeCallQueue } from './harness.ts';

/** A process, as a lease holder. */
const HOLDER = { host: 'host-a', pid: 4242, started: 'linux:boot:1234' };

/** Leases: expiry on the queue's clock, take-over by another worker, stale tokens, renewal. */
export function leasesContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('leases', () => {
    it('hands a contact whose lease expired to another worker', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const first = await mustClaim(queue, 'w1', 1_000);
      await clock.advance(1_000);
      const second = await mustClaim(queue, 'w2', 1_000);
      expect(second.contact.id).toBe('c1');
      expect(second.claims).toBe(2);
      expect(second.leaseToken).not.toBe(first.leaseToken);
    });

    it('refuses every update carrying the token of a lease taken over', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const stale = (await mustClaim(queue, 'w1', 1_000)).leaseToken;
      await clock.advance(1_500);
      const current = (await mustClaim(queue, 'w2', 1_000)).leaseToken;
      await expectLeaseLost(queue.checkpoint('c1', stale, { callSid: 'CA1' }), 'c1');
      await expectLeaseLost(queue.complete('c1', stale), 'c1');
      await expectLeaseLost(queue.fail('c1', stale, 'x'), 'c1');
      const deferral = { notBefore: clock.now(), reason: 'x', countsAsFailure: true };
      await expectLeaseLost(queue.defer('c1', stale, deferral), 'c1');
      expect(await queue.renew('c1', stale, 1_000)).toBe(false);
      // None of the refused updates touched the contact; the current holder still can.
      expect(await queue.status('c1')).toMatchObject({
        state: 'in_progress',
        failedAttempts: 0,
        checkpoints: {},
      });
      await queue.complete('c1', current);
      expect((await queue.status('c1'))?.state).toBe('completed');
    });

    it('lets the holder of an expired lease finish while nobody took it over', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue, 'w1', 1_000);
      await clock.advance(5_000);
      await queue.checkpoint('c1', leaseToken, { script: 'Hello' });
      await queue.complete('c1', leaseToken);
      expect(await queue.status('c1')).toMatchObject({
        state: 'completed',
        checkpoints: { script: 'Hello' },
      });
    });

    it('renews a lease from the current time', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue, 'w1', 1_000);
      await clock.advance(800);
      expect(await queue.renew('c1', leaseToken, 1_000)).toBe(true);
      await clock.advance(999);
      expect(await queue.claim('w2', 1_000)).toBeUndefined();
      await clock.advance(1);
      expect((await mustClaim(queue, 'w2')).contact.id).toBe('c1');
      expect(await queue.renew('c1', leaseToken, 1_000)).toBe(false);
    });

    it('gives each claim its own token', async () => {
      const { queue } = await setup();
      await queue.enqueue([contact(1), contact(2)]);
      const a = await mustClaim(queue);
      const b = await mustClaim(queue);
      expect(a.leaseToken).not.toBe(b.leaseToken);
      await expectLeaseLost(queue.complete('c1', b.leaseToken), 'c1');
      await queue.complete('c2', b.leaseToken);
    });

    it('tells who holds the contacts in progress, and until when', async () => {
      const { queue, t0 } = await setup({ holder: HOLDER });
      expect(await queue.leases()).toEqual([]);
      await queue.enqueue([contact(1), contact(2), contact(3)]);
      await mustClaim(queue, 'w1', 10_000);
      await mustClaim(queue, 'w2', 30_000);
      expect(await queue.leases()).toEqual([
        { holder: HOLDER, contacts: 2, expiresAt: t0 + 30_000 },
      ]);
    });

    it("releases a dead holder's leases at once, and nobody else's", async () => {
      const { queue, t0 } = await setup({ holder: HOLDER });
      await queue.enqueue([contact(1), contact(2), contact(3)]);
      const stale = await mustClaim(queue, 'w1', 30_000);
      await mustClaim(queue, 'w1', 30_000);
      expect(await queue.releaseLeases({ ...HOLDER, pid: HOLDER.pid + 1 })).toBe(0);
      expect(await queue.releaseLeases({ ...HOLDER, started: 'another start' })).toBe(0);
      expect(await queue.releaseLeases({ ...HOLDER, host: 'elsewhere' })).toBe(0);
      expect(await queue.claim('w2', 30_000)).toMatchObject({ contact: { id: 'c3' } });

      expect(await queue.releaseLeases(HOLDER)).toBe(3);
      expect(await queue.nextDueAt()).toBe(t0);
      const again = await mustClaim(queue, 'w2', 30_000);
      expect(again).toMatchObject({ contact: { id: 'c1' }, claims: 2 });
      await expectLeaseLost(queue.complete('c1', stale.leaseToken), 'c1');
      // Each released contact is handed out once more, not twice.
      expect((await mustClaim(queue, 'w2', 30_000)).contact.id).toBe('c2');
      expect((await mustClaim(queue, 'w2', 30_000)).contact.id).toBe('c3');
      expect(await queue.claim('w2', 30_000)).toBeUndefined();
    });

    it('forgets the holder of a contact once it is finished or deferred', async () => {
      const { queue, clock } = await setup({ holder: HOLDER });
      await queue.enqueue([contact(1), contact(2)]);
      const a = await mustClaim(queue);
      const b = await mustClaim(queue);
      await queue.complete('c1', a.leaseToken);
      const deferral = { notBefore: clock.now() + 1_000, reason: 'x', countsAsFailure: false };
      await queue.defer('c2', b.leaseToken, deferral);
      expect(await queue.leases()).toEqual([]);
      expect(await queue.releaseLeases(HOLDER)).toBe(0);
      expect(await queue.status('c2')).toMatchObject({ state: 'deferred' });
    });

    it('resumes a contact with the checkpoints its crashed worker left', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1)]);
      const crashed = await mustClaim(queue, 'w1', 1_000);
      await queue.checkpoint('c1', crashed.leaseToken, { script: 'Hi', callStartedAt: t0 });
      await clock.advance(1_000);
      const resumed = await mustClaim(queue, 'w2', 1_000);
      expect(resumed.checkpoints).toEqual({ script: 'Hi', callStartedAt: t0 });
    });
  });
}
