import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { contact, mustClaim } from './contract/harness.ts';
import { SqliteCallQueue } from './sqlite-call-queue.ts';

const open: SqliteCallQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

async function queueWith(n: number): Promise<{ queue: SqliteCallQueue; clock: VirtualClock }> {
  const clock = new VirtualClock();
  const queue = new SqliteCallQueue({ path: ':memory:', clock });
  open.push(queue);
  await queue.enqueue(Array.from({ length: n }, (_, i) => contact(i + 1)));
  return { queue, clock };
}

describe('SqliteCallQueue as QueueAdmin', () => {
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
  });

  it('pages one state', async () => {
    const { queue } = await queueWith(4);
    const held = await mustClaim(queue);
    await queue.fail(held.contact.id, held.leaseToken, 'Twilio: invalid number');
    const page = await queue.page({ state: 'failed', limit: 10 });
    expect(page.contacts).toMatchObject([
      { id: 'c1', state: 'failed', reason: 'Twilio: invalid number' },
    ]);
    expect((await queue.page({ state: 'pending', limit: 10 })).contacts).toHaveLength(3);
  });

  it('finds a contact by id or by its place, with the status the queue keeps', async () => {
    const { queue } = await queueWith(2);
    const byId = await queue.find({ id: 'c2' });
    expect(byId).toMatchObject({ id: 'c2', state: 'pending', contact: contact(2) });
    expect(await queue.find({ seq: byId!.seq })).toEqual(byId);
    expect(await queue.find({ id: 'nobody' })).toBeUndefined();
    expect(await queue.find({ seq: 999 })).toBeUndefined();
  });

  it('removes a contact that is not in progress, with its history; refuses one in progress', async () => {
    const { queue, clock } = await queueWith(2);
    const history = queue.contactHistory();
    history.append([{ contactId: 'c2', at: clock.now(), record: { message: 'queued' } }]);
    const held = await mustClaim(queue);
    expect(await queue.remove('c1')).toBe('in_progress');
    expect(await queue.status('c1')).toMatchObject({ state: 'in_progress' });
    expect(await queue.remove('c2')).toBe('removed');
    expect(await queue.status('c2')).toBeUndefined();
    expect(history.list('c2')).toEqual([]);
    expect(await queue.remove('c2')).toBe('not_found');
    await queue.complete('c1', held.leaseToken);
    expect(await queue.remove('c1')).toBe('removed');
    expect(await queue.counts()).toMatchObject({ pending: 0, completed: 0 });
  });
});

describe('SqliteContactHistory', () => {
  it('keeps the last events of each contact, oldest first', async () => {
    const { queue, clock } = await queueWith(2);
    const history = queue.contactHistory(3);
    const event = (contactId: string, n: number) => ({
      contactId,
      at: clock.now() + n,
      record: { n },
    });
    history.append([event('c1', 1), event('c2', 1), event('c1', 2)]);
    history.append([event('c1', 3), event('c1', 4)]);
    expect(history.list('c1').map((e) => e.record)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    expect(history.list('c1', 2).map((e) => e.record)).toEqual([{ n: 3 }, { n: 4 }]);
    expect(history.list('c2')).toEqual([
      { contactId: 'c2', at: clock.now() + 1, record: { n: 1 } },
    ]);
  });
});
