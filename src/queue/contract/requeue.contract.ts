import { describe, expect, it } from 'vitest';
import type { CallQueue, Checkpoints } from '../call-queue.ts';
import {
  CONTRACT_MAX_FAILED_ATTEMPTS as MAX,
  contact,
  mustClaim,
  useQueue,
  type MakeCallQueue,
} from './harness.ts';

/** Claims the next contact and fails it with `checkpoints`. */
async function claimAndFail(queue: CallQueue, reason: string, checkpoints?: Checkpoints) {
  const { contact: c, leaseToken } = await mustClaim(queue);
  await queue.fail(c.id, leaseToken, reason, checkpoints);
  return c.id;
}

/** Putting failed contacts back: which ones, and what they keep. */
export function requeueContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('requeue', () => {
    it('puts every failed contact back, due at once, with its failures forgotten', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1), contact(2), contact(3), contact(4)]);
      // c1 gives up after MAX counted failures; c2 is failed outright; c3 completes
      for (let i = 0; i < MAX; i++) {
        const { leaseToken } = await mustClaim(queue);
        const options = { notBefore: clock.now(), reason: '503', countsAsFailure: true };
        await queue.defer('c1', leaseToken, { ...options, service: 'Twilio' });
      }
      expect((await queue.status('c1'))?.state).toBe('failed');
      await claimAndFail(queue, 'invalid number (21211)');
      const done = await mustClaim(queue);
      await queue.complete(done.contact.id, done.leaseToken);
      await clock.advance(1_000);

      expect(await queue.requeue()).toEqual({
        requeued: ['c1', 'c2'],
        notFound: [],
        notFailed: [],
      });
      expect(await queue.counts()).toMatchObject({ pending: 3, failed: 0, completed: 1 });
      expect(await queue.status('c1')).toMatchObject({
        state: 'pending',
        failedAttempts: 0,
        reason: undefined,
        notBefore: undefined,
        waitingOn: undefined,
        updatedAt: clock.now(),
      });
      expect(await queue.nextDueAt()).toBeLessThanOrEqual(clock.now());
      // due now: behind the contact that was pending all along
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await mustClaim(queue)).contact.id);
      expect(order).toEqual(['c4', 'c1', 'c2']);
      expect(await queue.status('c1')).toMatchObject({ claims: MAX + 1, failedAttempts: 0 });
    });

    it('gives a requeued contact its full count of failed attempts again', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const deferAgain = async () => {
        const { leaseToken } = await mustClaim(queue);
        const options = { notBefore: clock.now(), reason: '503', countsAsFailure: true };
        return queue.defer('c1', leaseToken, options);
      };
      for (let i = 0; i < MAX; i++) await deferAgain();
      await queue.requeue(['c1']);
      for (let i = 1; i < MAX; i++) expect(await deferAgain()).toBe('deferred');
      expect(await deferAgain()).toBe('failed');
    });

    it('requeues the named contacts only, and says why each other one was not', async () => {
      const { queue } = await setup();
      await queue.enqueue([1, 2, 3, 4, 5].map((n) => contact(n)));
      await claimAndFail(queue, 'x'); // c1
      const completed = await mustClaim(queue); // c2
      await queue.complete('c2', completed.leaseToken);
      await claimAndFail(queue, 'y'); // c3
      await mustClaim(queue); // c4 stays in progress; c5 pending
      expect(await queue.requeue(['c3', 'c2', 'c4', 'nobody', 'c5', 'c3'])).toEqual({
        requeued: ['c3'],
        notFound: ['nobody'],
        notFailed: [
          { id: 'c2', state: 'completed' },
          { id: 'c4', state: 'in_progress' },
          { id: 'c5', state: 'pending' },
        ],
      });
      expect((await queue.status('c1'))?.state).toBe('failed');
      expect((await queue.status('c2'))?.state).toBe('completed');
      expect((await queue.status('c4'))?.state).toBe('in_progress');
      expect(await queue.requeue([])).toEqual({ requeued: [], notFound: [], notFailed: [] });
    });

    it('has nothing to do when no contact failed', async () => {
      const { queue } = await setup();
      expect(await queue.requeue()).toEqual({ requeued: [], notFound: [], notFailed: [] });
      await queue.enqueue([contact(1)]);
      expect(await queue.requeue()).toEqual({ requeued: [], notFound: [], notFailed: [] });
      expect((await queue.status('c1'))?.state).toBe('pending');
    });

    it('keeps what a call that may have been placed needs, and starts afresh before it', async () => {
      const { queue, t0 } = await setup();
      await queue.enqueue([contact(1), contact(2), contact(3)]);
      const spoken = { script: 'Hi', scriptDegraded: true, templatedAt: t0, audioRef: 'a.wav' };
      const started = { ...spoken, callStartedAt: t0 };
      const placed = { ...started, callSid: 'CA1' };
      await claimAndFail(queue, 'ElevenLabs: 422 text refused', spoken);
      await claimAndFail(queue, 'gave up after 5 failed attempts: Twilio: timeout', started);
      await claimAndFail(queue, 'unexpected error', placed);
      await queue.requeue();
      // no call was started: the script and the voice are made again
      expect((await mustClaim(queue)).checkpoints).toEqual({});
      // a call may exist: it is looked up, never placed twice
      expect((await mustClaim(queue)).checkpoints).toEqual(started);
      // the call exists: only what follows it is left
      expect((await mustClaim(queue)).checkpoints).toEqual(placed);
    });
  });
}
