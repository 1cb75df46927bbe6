import { describe, expect, it } from 'vitest';
import type { CallQueue } from '../call-queue.ts';
import {
  CONTRACT_MAX_FAILED_ATTEMPTS as MAX,
  contact,
  mustClaim,
  useQueue,
  type MakeCallQueue,
} from './harness.ts';

async function claimAndDefer(
  queue: CallQueue,
  notBefore: number,
  countsAsFailure: boolean,
  reason = 'circuit open',
) {
  const claimed = await mustClaim(queue);
  const state = await queue.defer(claimed.contact.id, claimed.leaseToken, {
    notBefore,
    reason,
    countsAsFailure,
  });
  return { claimed, state };
}

/** Deferral, failure counting, claim order across states, nextDueAt. */
export function deferralContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('deferral', () => {
    it('keeps a contact that waits for its service unclaimed until the service is released', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1), contact(2), contact(3), contact(4), contact(5)]);
      const park = async (service: string, notBefore = t0) => {
        const { contact: c, leaseToken } = await mustClaim(queue);
        const options = { notBefore, reason: `${service} circuit OPEN`, countsAsFailure: false };
        return queue.defer(c.id, leaseToken, { ...options, service, untilReleased: true });
      };
      expect(await park('ElevenLabs')).toBe('deferred');
      await park('ElevenLabs', t0 + 60_000);
      await park('ElevenLabs');
      await park('Twilio');
      await clock.advance(3_600_000);
      expect((await mustClaim(queue)).contact.id).toBe('c5');
      expect(await queue.claim('w1', 60_000)).toBeUndefined();
      expect(await queue.hasUnfinished()).toBe(true);
      expect(await queue.status('c1')).toMatchObject({
        state: 'deferred',
        waitingOn: 'ElevenLabs',
        waitsForService: true,
        notBefore: t0,
      });
      expect(await queue.waiting()).toEqual([
        { service: 'ElevenLabs', contacts: 3, untilReleased: 3, nextDueAt: undefined },
        { service: 'Twilio', contacts: 1, untilReleased: 1, nextDueAt: undefined },
      ]);

      // the two oldest of ElevenLabs: due now (c1) and at its not-before (c2, already past)
      expect(await queue.releaseWaiting('ElevenLabs', 2)).toBe(2);
      expect(await queue.status('c1')).toMatchObject({ waitsForService: false });
      expect((await mustClaim(queue)).contact.id).toBe('c1');
      expect((await mustClaim(queue)).contact.id).toBe('c2');
      expect(await queue.claim('w1', 60_000)).toBeUndefined();
      // then everyone waiting, whatever the service
      expect(await queue.releaseWaiting()).toBe(2);
      expect(await queue.releaseWaiting()).toBe(0);
      expect((await mustClaim(queue)).contact.id).toBe('c3');
      expect((await mustClaim(queue)).contact.id).toBe('c4');
    });

    it('releases a waiting contact no earlier than its not-before time', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue);
      await queue.defer('c1', leaseToken, {
        notBefore: t0 + 30_000,
        reason: 'quota',
        countsAsFailure: false,
        service: 'ElevenLabs',
        untilReleased: true,
      });
      expect(await queue.nextDueAt()).toBeUndefined();
      expect(await queue.releaseWaiting('ElevenLabs')).toBe(1);
      expect(await queue.nextDueAt()).toBe(t0 + 30_000);
      expect(await queue.claim('w1', 60_000)).toBeUndefined();
      await clock.advanceTo(t0 + 30_000);
      const again = await mustClaim(queue);
      expect(again.contact.id).toBe('c1');
      const unnamed = { notBefore: t0, reason: 'x', countsAsFailure: false, untilReleased: true };
      await expect(queue.defer('c1', again.leaseToken, unnamed)).rejects.toThrow(RangeError);
    });

    it('tells when nothing is left unfinished', async () => {
      const { queue } = await setup();
      expect(await queue.hasUnfinished()).toBe(false);
      await queue.enqueue([contact(1)]);
      expect(await queue.hasUnfinished()).toBe(true);
      const { leaseToken } = await mustClaim(queue);
      expect(await queue.hasUnfinished()).toBe(true);
      await queue.complete('c1', leaseToken);
      expect(await queue.hasUnfinished()).toBe(false);
    });

    it('knows which service each deferred contact waits for, until it is claimed again', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1), contact(2), contact(3), contact(4)]);
      const defer = async (service: string | undefined, notBefore: number) => {
        const { contact: c, leaseToken } = await mustClaim(queue);
        await queue.defer(c.id, leaseToken, {
          notBefore,
          reason: 'x',
          countsAsFailure: false,
          service,
        });
      };
      await defer('ElevenLabs', t0 + 30_000);
      await defer('ElevenLabs', t0 + 10_000);
      await defer('Twilio', t0 + 20_000);
      await defer(undefined, t0 + 40_000);
      expect(await queue.waiting()).toEqual([
        { service: 'ElevenLabs', contacts: 2, untilReleased: 0, nextDueAt: t0 + 10_000 },
        { service: 'Twilio', contacts: 1, untilReleased: 0, nextDueAt: t0 + 20_000 },
        { service: undefined, contacts: 1, untilReleased: 0, nextDueAt: t0 + 40_000 },
      ]);
      expect(await queue.status('c1')).toMatchObject({ waitingOn: 'ElevenLabs' });
      expect(await queue.status('c4')).toMatchObject({ waitingOn: undefined });

      await clock.advanceTo(t0 + 10_000);
      expect((await mustClaim(queue)).contact.id).toBe('c2');
      expect(await queue.status('c2')).toMatchObject({
        state: 'in_progress',
        waitingOn: undefined,
      });
      expect(await queue.waiting()).toMatchObject([
        { service: 'Twilio', contacts: 1 },
        { service: 'ElevenLabs', contacts: 1 },
        { service: undefined, contacts: 1 },
      ]);
    });

    it('defers a skipped contact until its time without counting a failure', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1)]);
      const { state } = await claimAndDefer(queue, t0 + 10_000, false);
      expect(state).toBe('deferred');
      expect(await queue.status('c1')).toMatchObject({
        state: 'deferred',
        notBefore: t0 + 10_000,
        reason: 'circuit open',
        failedAttempts: 0,
      });
      await clock.advance(9_999);
      expect(await queue.claim('w1', 1_000)).toBeUndefined();
      await clock.advance(1);
      const again = await mustClaim(queue);
      expect(again).toMatchObject({ claims: 2, failedAttempts: 0 });
    });

    it('never fails a contact for skips alone', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      for (let i = 0; i < MAX * 2; i++) {
        expect((await claimAndDefer(queue, clock.now(), false)).state).toBe('deferred');
      }
      expect(await queue.status('c1')).toMatchObject({ state: 'deferred', failedAttempts: 0 });
    });

    it(`fails a contact at its ${MAX}th counted failure, with the reason`, async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      for (let i = 1; i < MAX; i++) {
        const { claimed, state } = await claimAndDefer(queue, clock.now(), true, `503 #${i}`);
        expect(claimed.failedAttempts).toBe(i - 1);
        expect(state).toBe('deferred');
        expect((await queue.status('c1'))?.failedAttempts).toBe(i);
      }
      const last = await claimAndDefer(queue, clock.now(), true, `503 #${MAX}`);
      expect(last.state).toBe('failed');
      expect(await queue.status('c1')).toMatchObject({
        state: 'failed',
        failedAttempts: MAX,
        notBefore: undefined,
        reason: `gave up after ${MAX} failed attempts: 503 #${MAX}`,
      });
      await clock.advance(3_600_000);
      expect(await queue.claim('w1', 1_000)).toBeUndefined();
    });

    it('counts only the failures among failures and skips', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      for (let i = 1; i < MAX; i++) await claimAndDefer(queue, clock.now(), true);
      for (let i = 0; i < 3; i++) {
        expect((await claimAndDefer(queue, clock.now(), false)).state).toBe('deferred');
      }
      expect((await claimAndDefer(queue, clock.now(), true)).state).toBe('failed');
    });

    it('claims due deferred and pending contacts by due time, then enqueue order', async () => {
      const { queue, clock, t0 } = await setup();
      await queue.enqueue([contact(1)]);
      await claimAndDefer(queue, t0 + 100, false);
      await clock.advance(50);
      await queue.enqueue([contact(2)]); // due since t0 + 50
      await clock.advance(100);
      await queue.enqueue([contact(3)]); // due since t0 + 150
      expect((await queue.list()).map((s) => s.state)).toEqual(['deferred', 'pending', 'pending']);
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await mustClaim(queue)).contact.id);
      expect(order).toEqual(['c2', 'c1', 'c3']);
    });

    it('ranks a contact with an expired lease by its expiry', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      await mustClaim(queue, 'w1', 100);
      await clock.advance(200);
      await queue.enqueue([contact(2)]);
      expect((await mustClaim(queue, 'w2')).contact.id).toBe('c1');
      expect((await mustClaim(queue, 'w2')).contact.id).toBe('c2');
    });

    it('tells when the next contact falls due', async () => {
      const { queue, clock, t0 } = await setup();
      expect(await queue.nextDueAt()).toBeUndefined();
      await queue.enqueue([contact(1), contact(2)]);
      expect(await queue.nextDueAt()).toBeLessThanOrEqual(clock.now());
      const a = await mustClaim(queue, 'w1', 5_000);
      const b = await mustClaim(queue, 'w1', 5_000);
      expect(await queue.nextDueAt()).toBe(t0 + 5_000);
      await queue.defer('c2', b.leaseToken, {
        notBefore: t0 + 2_000,
        reason: 'TTS down',
        countsAsFailure: false,
      });
      expect(await queue.nextDueAt()).toBe(t0 + 2_000);
      await queue.complete('c1', a.leaseToken);
      expect(await queue.nextDueAt()).toBe(t0 + 2_000);
      await clock.advanceTo(t0 + 2_000);
      const again = await mustClaim(queue, 'w1', 5_000);
      await queue.fail('c2', again.leaseToken, 'opted out');
      expect(await queue.nextDueAt()).toBeUndefined();
    });
  });
}
