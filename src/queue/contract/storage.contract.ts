import { describe, expect, it } from 'vitest';
import { contact, expectStorageError, mustClaim, useQueue, type MakeCallQueue } from './harness.ts';

/** More than the small store holds. */
const HUGE = 'x'.repeat(256 * 1024);

/**
 * A store that fills up: a write that does not fit is refused with a storage error, leaves
 * nothing half-done, and is never taken for a success; writes that fit go on working.
 */
export function storageContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('a full store', () => {
    it('refuses each write that does not fit and keeps the contact as it was', async () => {
      const { queue, clock } = await setup({ small: true });
      await queue.enqueue([contact(1), contact(2)]);
      const held = await mustClaim(queue);
      const before = await queue.status('c1');

      await expectStorageError(queue.checkpoint('c1', held.leaseToken, { script: HUGE }));
      await expectStorageError(queue.complete('c1', held.leaseToken, { script: HUGE }));
      await expectStorageError(queue.fail('c1', held.leaseToken, HUGE));
      const deferral = { notBefore: clock.now(), reason: 'x', countsAsFailure: true };
      await expectStorageError(
        queue.defer('c1', held.leaseToken, { ...deferral, checkpoints: { script: HUGE } }),
      );
      await expectStorageError(queue.addToOutbox('c1', { record: HUGE }));
      await expectStorageError(queue.enqueue([contact(3), contact(4, { notes: HUGE })]));

      expect(await queue.status('c1')).toEqual(before);
      expect(await queue.outboxSize()).toBe(0);
      expect(await queue.counts()).toMatchObject({ pending: 1, in_progress: 1 });
      expect(await queue.status('c3')).toBeUndefined();

      // The refusals were not sticky: what fits is written, and the lease still holds.
      await queue.checkpoint('c1', held.leaseToken, { script: 'Hi' });
      await queue.complete('c1', held.leaseToken);
      expect(await queue.status('c1')).toMatchObject({
        state: 'completed',
        checkpoints: { script: 'Hi' },
      });
    });
  });
}
