import { describe, expect, it } from 'vitest';
import { phoneContactId } from '../contact-id.ts';
import { contact, mustClaim, useQueue, type MakeCallQueue } from './harness.ts';

/** Enqueue: duplicates, and contacts refused because they clash with a queued one. */
export function enqueueContract(make: MakeCallQueue): void {
  const setup = useQueue(make);

  describe('enqueue', () => {
    it('counts a known id with its number as a duplicate, within a batch and across', async () => {
      const { queue } = await setup();
      expect(await queue.enqueue([contact(1), contact(1, { name: 'Other' })])).toEqual({
        added: 1,
        duplicates: 1,
        conflicts: [],
      });
      expect(await queue.enqueue([contact(1), contact(2)])).toEqual({
        added: 1,
        duplicates: 1,
        conflicts: [],
      });
      expect((await mustClaim(queue)).contact.name).toBe('Contact 1');
      expect((await queue.counts()).pending).toBe(1);
    });

    it('counts a contact without an id as a duplicate when it was queued without one', async () => {
      const { queue } = await setup();
      const fresh = { id: phoneContactId('+14155559999'), name: 'New', phone: '+14155559999' };
      expect(await queue.enqueue([fresh, { ...fresh, name: 'New again' }])).toEqual({
        added: 1,
        duplicates: 1,
        conflicts: [],
      });
      expect(await queue.enqueue([fresh])).toEqual({ added: 0, duplicates: 1, conflicts: [] });
    });

    it('refuses a number queued under another id, whatever the id, naming that id', async () => {
      const { queue } = await setup();
      const known = contact(1);
      await queue.enqueue([known]);
      const noId = { id: phoneContactId(known.phone), name: 'Again', phone: known.phone };
      expect(await queue.enqueue([contact(2), { ...known, id: 'crm-77' }, noId])).toEqual({
        added: 1,
        duplicates: 0,
        conflicts: [
          { index: 1, id: 'crm-77', reason: 'phone_taken', existingId: 'c1' },
          { index: 2, id: noId.id, reason: 'phone_taken', existingId: 'c1' },
        ],
      });
      expect(await queue.status('crm-77')).toBeUndefined();
      expect(await queue.status(noId.id)).toBeUndefined();
      expect((await queue.list()).map((s) => s.id)).toEqual(['c1', 'c2']);
    });

    it('refuses a number taken earlier in the same batch', async () => {
      const { queue } = await setup();
      const phone = '+14155550177';
      const result = await queue.enqueue([
        { id: 'a', name: 'Alice', phone },
        { id: 'b', name: 'Alice', phone },
      ]);
      expect(result).toEqual({
        added: 1,
        duplicates: 0,
        conflicts: [{ index: 1, id: 'b', reason: 'phone_taken', existingId: 'a' }],
      });
    });

    it('refuses a known id with another number as a conflict, not a duplicate', async () => {
      const { queue } = await setup();
      await queue.enqueue([contact(1)]);
      const moved = contact(1, { phone: '+14155559999' });
      expect(await queue.enqueue([moved, contact(2), { ...moved, id: 'c2' }])).toEqual({
        added: 1,
        duplicates: 0,
        conflicts: [
          { index: 0, id: 'c1', reason: 'id_taken' },
          { index: 2, id: 'c2', reason: 'id_taken' },
        ],
      });
      expect((await mustClaim(queue)).contact.phone).toBe(contact(1).phone);
    });

    it('keeps a finished contact finished when it is enqueued again', async () => {
      const { queue } = await setup();
      await queue.enqueue([contact(1)]);
      const { leaseToken } = await mustClaim(queue);
      await queue.complete('c1', leaseToken);
      expect(await queue.enqueue([contact(1), { ...contact(1), id: 'again' }])).toEqual({
        added: 0,
        duplicates: 1,
        conflicts: [{ index: 1, id: 'again', reason: 'phone_taken', existingId: 'c1' }],
      });
      expect((await queue.status('c1'))?.state).toBe('completed');
      expect(await queue.claim('w1', 1_000)).toBeUndefined();
    });
  });
}
