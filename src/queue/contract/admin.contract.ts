import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import type { CallQueue } from '../call-queue.ts';
import type { ContactHistory, ContactHistoryOptions } from '../contact-history.ts';
import type { QueueAdmin } from '../queue-admin.ts';
import { contact, mustClaim } from './harness.ts';

/** A queue with what an operator's API asks of it: pages, look-ups, removal, histories. */
export type AdminQueue = CallQueue &
  QueueAdmin & { contactHistory(options?: ContactHistoryOptions): ContactHistory };

/** Builds a fresh, empty queue on the given clock. */
export type MakeAdminQueue = (clock: VirtualClock) => Promise<AdminQueue>;

/**
 * The conformance suite of QueueAdmin and ContactHistory, run against each backend that
 * `call-agent serve` works on. Each queue made is closed after its test.
 */
export function describeQueueAdminContract(name: string, make: MakeAdminQueue): void {
  const open: AdminQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close()));
  });
  async function queueWith(n: number): Promise<{ queue: AdminQueue; clock: VirtualClock }> {
    const clock = new VirtualClock();
    const queue = await make(clock);
    open.push(queue);
    await queue.enqueue(Array.from({ length: n }, (_, i) => contact(i + 1)));
    return { queue, clock };
  }

  describe(`QueueAdmin contract: ${name}`, () => {
    it('pages newest first; each page starts where the last ended; the last page says so', async () => {
      const { queue } = await queueWith(5);
      const first = await queue.page({ limit: 2 });
      expect(first.contacts.map((c) => c.id)).toEqual(['c5', 'c4']);
      const second = await queue.page({ limit: 2, before: first.next });
      expect(second.contacts.map((c) => c.id)).toEqual(['c3', 'c2']);
      const last = await queue.page({ limit: 2, before: second.next });
      expect(last.contacts.map((c) => c.id)).toEqual(['c1']);
      expect(last.next).toBeUndefined();
      // exactly a page's worth left: no empty page after it
      expect((await queue.page({ limit: 1, before: second.next })).next).toBeUndefined();
      expect((await queue.page({ limit: 10 })).contacts.map((c) => c.seq)).toEqual(
        [...first.contacts, ...second.contacts, ...last.contacts].map((c) => c.seq),
      );
    });

    it('pages one state', async () => {
      const { queue } = await queueWith(4);
      const held = await mustClaim(queue);
      await queue.fail(held.contact.id, held.leaseToken, 'Twilio: invalid number');
      const page = await queue.page({ state: 'failed', limit: 10 });
      expect(page.contacts).toMatchObject([
        { id: 'c1', state: 'failed', reason: 'Twilio: invalid number' },
      ]);
      const pending = await queue.page({ state: 'pending', limit: 2 });
      expect(pending.contacts.map((c) => c.id)).toEqual(['c4', 'c3']);
      const rest = await queue.page({ state: 'pending', limit: 2, before: pending.next });
      expect(rest).toMatchObject({ contacts: [{ id: 'c2' }], next: undefined });
    });

    it('finds a contact by id or by its place, with the status the queue keeps', async () => {
      const { queue } = await queueWith(2);
      const byId = await queue.find({ id: 'c2' });
      expect(byId).toMatchObject({ id: 'c2', state: 'pending', contact: contact(2) });
      expect(byId).toMatchObject((await queue.status('c2'))!);
      expect(await queue.find({ seq: byId!.seq })).toEqual(byId);
      expect(await queue.find({ id: 'nobody' })).toBeUndefined();
      expect(await queue.find({ seq: 999 })).toBeUndefined();
    });

    it('removes a contact that is not in progress, with its history; refuses one in progress', async () => {
      const { queue, clock } = await queueWith(2);
      const history = queue.contactHistory();
      await history.append([{ contactId: 'c2', at: clock.now(), record: { message: 'queued' } }]);
      const held = await mustClaim(queue);
      expect(await queue.remove('c1')).toBe('in_progress');
      expect(await queue.status('c1')).toMatchObject({ state: 'in_progress' });
      expect(await queue.remove('c2')).toBe('removed');
      expect(await queue.status('c2')).toBeUndefined();
      expect(await queue.find({ id: 'c2' })).toBeUndefined();
      expect(await history.list('c2')).toEqual([]);
      expect(await queue.remove('c2')).toBe('not_found');
      await queue.complete('c1', held.leaseToken);
      expect(await queue.remove('c1')).toBe('removed');
      expect(await queue.counts()).toMatchObject({ pending: 0, completed: 0 });
      expect((await queue.page({ limit: 10 })).contacts).toEqual([]);
    });

    it('removes waiting contacts from the waiting rooms and the claim order; their numbers may come back', async () => {
      const { queue, clock } = await queueWith(3);
      const wait = async (untilReleased: boolean) => {
        const held = await mustClaim(queue);
        const options = { reason: 'ElevenLabs circuit OPEN', service: 'ElevenLabs' };
        const notBefore = clock.now() + 60_000;
        await queue.defer(held.contact.id, held.leaseToken, {
          ...options,
          notBefore,
          untilReleased,
          countsAsFailure: false,
        });
      };
      await wait(true);
      await wait(false);
      expect(await queue.remove('c1')).toBe('removed');
      expect(await queue.remove('c2')).toBe('removed');
      expect(await queue.remove('c3')).toBe('removed');
      expect(await queue.waiting()).toEqual([]);
      expect(await queue.releaseWaiting('ElevenLabs')).toBe(0);
      await clock.advance(120_000);
      expect(await queue.claim('w1', 60_000)).toBeUndefined();
      expect(await queue.nextDueAt()).toBeUndefined();
      expect(await queue.hasUnfinished()).toBe(false);
      // the number is free again, and the contact is new: last in the queue
      expect(await queue.enqueue([contact(1), contact(9, { phone: contact(2).phone })])).toEqual({
        added: 2,
        duplicates: 0,
        conflicts: [],
      });
      expect((await queue.page({ limit: 10 })).contacts.map((c) => c.id)).toEqual(['c9', 'c1']);
    });
  });

  describe(`ContactHistory contract: ${name}`, () => {
    it('keeps the last events of each contact, oldest first', async () => {
      const { queue, clock } = await queueWith(2);
      const history = queue.contactHistory({ keepPerContact: 3 });
      const event = (contactId: string, n: number) => ({
        contactId,
        at: clock.now() + n,
        record: { n },
      });
      await history.append([event('c1', 1), event('c2', 1), event('c1', 2)]);
      await history.append([event('c1', 3), event('c1', 4)]);
      await history.append([]);
      expect((await history.list('c1')).map((e) => e.record)).toEqual([
        { n: 2 },
        { n: 3 },
        { n: 4 },
      ]);
      expect((await history.list('c1', 2)).map((e) => e.record)).toEqual([{ n: 3 }, { n: 4 }]);
      expect(await history.list('c2')).toEqual([
        { contactId: 'c2', at: clock.now() + 1, record: { n: 1 } },
      ]);
      expect(await history.list('nobody')).toEqual([]);
      // another reader of the same queue sees the same
      expect(await queue.contactHistory().list('c2')).toHaveLength(1);
    });
  });
}
