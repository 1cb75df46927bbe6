import { afterAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  testPrefix,
  testRedis,
} from '../../../test/support/redis.ts';
import { VirtualClock } from '../../resilience/index.ts';
import { describeQueueAdminContract } from '../contract/admin.contract.ts';
import { contact, expectStorageError, mustClaim } from '../contract/harness.ts';
import { RedisCallQueue } from './redis-call-queue.ts';
import { parseAppended } from './redis-contact-history.ts';

describeWithRedis('RedisCallQueue as QueueAdmin', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });
  const fresh = (clock: VirtualClock, maxBytes?: number): RedisCallQueue => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return new RedisCallQueue({ redis, prefix, clock, maxBytes });
  };
  const keysOf = async (queue: RedisCallQueue): Promise<string[]> =>
    (await redis.keys(`${queue.prefix}*`)).map((key) => key.slice(queue.prefix.length)).sort();

  describeQueueAdminContract('Redis', async (clock) => fresh(clock));

  it('removes every trace of a contact: its indexes, checkpoints, history and bytes', async () => {
    const clock = new VirtualClock();
    const queue = fresh(clock, 1024 * 1024);
    await queue.enqueue([contact(1), contact(2), contact(3)]);
    const history = queue.contactHistory({ keepPerContact: 2 });
    const held = [await mustClaim(queue), await mustClaim(queue), await mustClaim(queue)];
    const [a, b, c] = held.map((h) => h.leaseToken) as [string, string, string];
    await queue.checkpoint('c1', a, { script: 'Hello, this is a call about your order.' });
    await queue.complete('c1', a, { callSid: 'CA123' });
    await queue.defer('c2', b, {
      notBefore: clock.now(),
      reason: 'ElevenLabs circuit OPEN',
      service: 'ElevenLabs',
      untilReleased: true,
      countsAsFailure: false,
    });
    await queue.fail('c3', c, 'Twilio: invalid number');
    const event = (id: string, n: number) => ({ contactId: id, at: n, record: { n, id } });
    await history.append([1, 2, 3].flatMap((n) => [event('c1', n), event('c2', n)]));
    expect(Number(await redis.get(`${queue.prefix}:bytes`))).toBeGreaterThan(0);

    for (const id of ['c1', 'c2', 'c3']) expect(await queue.remove(id)).toBe('removed');
    // what is left is the queue's own counters, and the bytes are all given back
    expect(await keysOf(queue)).toEqual([':bytes', ':seq', ':wsvc']);
    expect(await redis.get(`${queue.prefix}:bytes`)).toBe('0');
  });

  it('counts the history in the byte cap: an append past it is refused, not taken for written', async () => {
    const clock = new VirtualClock();
    const queue = fresh(clock, 2_000);
    await queue.enqueue([contact(1)]);
    const history = queue.contactHistory();
    const big = { contactId: 'c1', at: clock.now(), record: { text: 'x'.repeat(3_000) } };
    const error = await expectStorageError(history.append([big]));
    expect(error.message).toMatch(/QUEUE_FULL/);
    expect(await history.list('c1')).toEqual([]);
    // the events a contact sheds past its limit give their bytes back
    const small = (n: number) => ({ contactId: 'c1', at: n, record: { n } });
    const trimmed = queue.contactHistory({ keepPerContact: 2 });
    for (let n = 0; n < 200; n++) await trimmed.append([small(n)]);
    expect((await trimmed.list('c1')).map((e) => e.record)).toEqual([{ n: 198 }, { n: 199 }]);
  });

  it('keeps no event of a contact removed meanwhile, names the worker of each, and publishes them for the fleet', async () => {
    const clock = new VirtualClock();
    const queue = fresh(clock);
    await queue.enqueue([contact(1), contact(2)]);
    const listener = redis.duplicate();
    const heard: string[] = [];
    listener.on('message', (_channel: string, message: string) => heard.push(message));
    await listener.subscribe(`${queue.prefix}:ev`);
    try {
      expect(await queue.remove('c2')).toBe('removed');
      const history = queue.contactHistory({ origin: 'host:42' });
      await history.append([{ contactId: 'c2', at: 1, record: { late: true } }]);
      expect(await redis.exists(`${queue.prefix}:h:c2`)).toBe(0);
      await history.append([{ contactId: 'c1', at: 2, record: { message: 'called' } }]);
      expect(await queue.contactHistory().list('c1')).toEqual([
        { contactId: 'c1', at: 2, record: { message: 'called', worker: 'host:42' } },
      ]);
      const deadline = Date.now() + 2_000;
      while (heard.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(heard.map(parseAppended)).toEqual([
        {
          origin: 'host:42',
          events: [{ contactId: 'c1', at: 2, record: { message: 'called', worker: 'host:42' } }],
        },
      ]);
    } finally {
      listener.disconnect();
    }
  });
});
