import { describe, expect, it } from 'vitest';
import { contact, mustClaim, useQueue, type MakeCallQueue } from './harness.ts';

/** Checkpoint merging, the CRM outbox. */
export function storeContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('checkpoints', () => {
    it('merges each patch into what the contact already has', async () => {
      const { queue, t0 } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue);
      await queue.checkpoint('c1', leaseToken, { script: 'Hello', scriptDegraded: false });
      await queue.checkpoint('c1', leaseToken, { callStartedAt: t0, callSid: 'CA1' });
      await queue.checkpoint('c1', leaseToken, { script: 'Hello again', crmDone: 'outbox' });
      const expected = {
        script: 'Hello again',
        scriptDegraded: false,
        callStartedAt: t0,
        callSid: 'CA1',
        crmDone: 'outbox',
      };
      expect((await queue.status('c1'))?.checkpoints).toEqual(expected);
      await queue.complete('c1', leaseToken);
      expect((await queue.status('c1'))?.checkpoints).toEqual(expected);
    });

    it('keeps checkpoints across a deferral', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const first = await mustClaim(queue);
      await queue.checkpoint('c1', first.leaseToken, { script: 'Hi', voiceProvider: 'OpenAI' });
      const options = { notBefore: clock.now(), reason: 'Twilio down', countsAsFailure: true };
      await queue.defer('c1', first.leaseToken, options);
      expect((await mustClaim(queue)).checkpoints).toEqual({
        script: 'Hi',
        voiceProvider: 'OpenAI',
      });
    });

    it('records the checkpoints a completion, a failure or a deferral carries', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1), contact(2), contact(3)]);
      const [a, b, c] = [await mustClaim(queue), await mustClaim(queue), await mustClaim(queue)];
      await queue.checkpoint('c1', a.leaseToken, { script: 'Hi', callSid: 'CA1' });
      await queue.complete('c1', a.leaseToken, { crmDone: 'recorded' });
      await queue.fail('c2', b.leaseToken, 'opted out', { script: 'Hi 2', audioRef: 'c2.wav' });
      const options = { notBefore: clock.now(), reason: 'Twilio down', countsAsFailure: false };
      await queue.defer('c3', c.leaseToken, { ...options, checkpoints: { script: 'Hi 3' } });
      expect((await queue.status('c1'))?.checkpoints).toEqual({
        script: 'Hi',
        callSid: 'CA1',
        crmDone: 'recorded',
      });
      expect((await queue.status('c2'))?.checkpoints).toEqual({
        script: 'Hi 2',
        audioRef: 'c2.wav',
      });
      expect((await mustClaim(queue)).checkpoints).toEqual({ script: 'Hi 3' });
    });

    it('writes nothing when the lease was lost, checkpoints included', async () => {
      const { queue, clock } = await setup();
      await queue.enqueue([contact(1)]);
      const stale = await mustClaim(queue, 'w1', 1_000);
      await clock.advance(1_000);
      const current = await mustClaim(queue, 'w2', 60_000);
      await expect(queue.complete('c1', stale.leaseToken, { callSid: 'CA-stale' })).rejects.toThrow(
        /lease/,
      );
      expect((await queue.status('c1'))?.checkpoints).toEqual({});
      await queue.complete('c1', current.leaseToken);
      expect((await queue.status('c1'))?.state).toBe('completed');
    });
  });

  describe('outbox', () => {
    it('keeps records in order until they are removed', async () => {
      const { queue, clock, t0 } = await setup();
      expect(await queue.outboxSize()).toBe(0);
      expect(await queue.peekOutbox(10)).toEqual([]);
      await queue.addToOutbox('c1', { outcome: 'answered', durationS: 42 });
      await clock.advance(1_000);
      await queue.addToOutbox('c2', { outcome: 'voicemail', tags: ['a', 'b'] });
      await clock.advance(1_000);
      await queue.addToOutbox('c3', 'plain');
      expect(await queue.outboxSize()).toBe(3);

      const [first, second, ...rest] = await queue.peekOutbox(2);
      expect(rest).toEqual([]);
      expect(first).toMatchObject({
        contactId: 'c1',
        payload: { outcome: 'answered', durationS: 42 },
        attempts: 0,
        createdAt: t0,
      });
      expect(second).toMatchObject({
        contactId: 'c2',
        payload: { outcome: 'voicemail', tags: ['a', 'b'] },
        createdAt: t0 + 1_000,
      });
      expect(second!.id).toBeGreaterThan(first!.id);

      await queue.markOutboxAttempt(first!.id);
      await queue.markOutboxAttempt(first!.id);
      expect((await queue.peekOutbox(1))[0]?.attempts).toBe(2);

      await queue.removeFromOutbox(first!.id);
      expect(await queue.outboxSize()).toBe(2);
      const left = await queue.peekOutbox(10);
      expect(left.map((e) => [e.contactId, e.payload])).toEqual([
        ['c2', { outcome: 'voicemail', tags: ['a', 'b'] }],
        ['c3', 'plain'],
      ]);
    });

    it('ignores removing or marking an entry that is gone', async () => {
      const { queue } = await setup();
      await queue.addToOutbox('c1', { n: 1 });
      const [entry] = await queue.peekOutbox(1);
      await queue.removeFromOutbox(entry!.id);
      await queue.removeFromOutbox(entry!.id);
      await queue.markOutboxAttempt(entry!.id);
      expect(await queue.outboxSize()).toBe(0);
    });
  });
}
