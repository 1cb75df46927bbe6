import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import {
  deleteKeys,
  startRedisServer,
  type PrivateRedis,
  describeWithRedis,
  testPrefix,
  testRedis,
} from '../../../test/support/redis.ts';
import { describeCallQueueContract } from '../call-queue.contract.ts';
import { contact, expectStorageError, mustClaim } from '../contract/harness.ts';
import { claimScript } from './queue-scripts.ts';
import { RedisCallQueue } from './redis-call-queue.ts';

/** A small store: 48 KiB of contacts, checkpoints and outbox records. */
const SMALL_BYTES = 48 * 1024;

describeWithRedis('RedisCallQueue', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  afterAll(async () => {
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  describeCallQueueContract('Redis', async (clock, options = {}) => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    return new RedisCallQueue({
      redis,
      prefix,
      clock,
      holder: options.holder,
      maxBytes: options.small ? SMALL_BYTES : undefined,
    });
  });
});

describeWithRedis('RedisCallQueue on the shared Redis', () => {
  const redis = testRedis();
  const other = testRedis();
  const prefix = testPrefix();
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    redis.disconnect();
    other.disconnect();
  });

  it('never lets two connections claim the same contact', async () => {
    const clock = new VirtualClock();
    const a = new RedisCallQueue({ redis, prefix, clock });
    const b = new RedisCallQueue({ redis: other, prefix, clock });
    await a.enqueue(Array.from({ length: 200 }, (_, i) => contact(i)));
    const claimed: string[] = [];
    const work = async (queue: RedisCallQueue): Promise<void> => {
      for (let next = await queue.claim('w', 1_000); next; next = await queue.claim('w', 1_000)) {
        claimed.push(next.contact.id);
      }
    };
    await Promise.all([work(a), work(b), work(a), work(b)]);
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed).size).toBe(200);
    expect((await b.counts()).in_progress).toBe(200);
  });

  it('answers a claim resent after a lost reply with the same contact, taking no other', async () => {
    const clock = new VirtualClock();
    const own = testPrefix();
    const queue = new RedisCallQueue({ redis, prefix: own, clock });
    try {
      await queue.enqueue([contact(1), contact(2)]);
      const args = [`{${own}}`, clock.now(), 0, 60_000, 'token-1', 'w1', '[]'];
      const first = (await claimScript.run(redis, args)) as string[];
      const resent = (await claimScript.run(redis, args)) as string[];
      expect(resent[0]).toBe('c1');
      expect(resent).toEqual(first);
      expect(await queue.counts()).toMatchObject({ pending: 1, in_progress: 1 });
      expect(await queue.status('c1')).toMatchObject({ claims: 1 });
    } finally {
      await deleteKeys(redis, own);
    }
  });

  it("takes time from Redis's clock when given none", async () => {
    const own = testPrefix();
    const queue = new RedisCallQueue({ redis, prefix: own });
    try {
      await queue.enqueue([contact(1)]);
      const [seconds, micros] = await redis.time();
      const redisNow = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      const claimed = await queue.claim('w1', 60_000);
      expect(claimed?.contact.id).toBe('c1');
      const due = await queue.nextDueAt();
      expect(due).toBeGreaterThanOrEqual(redisNow + 60_000);
      expect(due).toBeLessThan(redisNow + 70_000);
    } finally {
      await deleteKeys(redis, own);
    }
  });
});

describeWithRedis(
  'RedisCallQueue on a Redis at its maxmemory',
  () => {
    let server: PrivateRedis | undefined;
    afterAll(async () => server?.close());

    it('refuses every write with a storage error, and takes none for a success', async () => {
      server = await startRedisServer({
        extraArgs: ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'],
      });
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      try {
        const clock = new VirtualClock();
        const queue = new RedisCallQueue({ redis, prefix: 'full', clock });
        await queue.enqueue([contact(1)]);
        const held = await mustClaim(queue);
        // fill it with something else until Redis refuses even a small write
        let i = 0;
        for (const size of [64 * 1024, 1024, 16]) {
          for (;;) {
            const refused = await redis.set(`junk:${i++}`, 'x'.repeat(size)).then(
              () => false,
              () => true,
            );
            if (refused) break;
          }
        }
        const error = await expectStorageError(queue.complete('c1', held.leaseToken));
        expect(error).toMatchObject({ storageCode: 'REDIS_OOM' });
        expect(error.message).toMatch(/maxmemory/);
        await expectStorageError(queue.enqueue([contact(2)]));
        // nothing half-done: once there is room again, the lease is as it was
        expect(await queue.status('c1')).toMatchObject({ state: 'in_progress' });
        await redis.del(...Array.from({ length: i }, (_, n) => `junk:${n}`));
        expect(await queue.nextDueAt()).toBe(clock.now() + 60_000);
        await queue.complete('c1', held.leaseToken);
        expect(await queue.counts()).toMatchObject({ completed: 1, in_progress: 0 });
      } finally {
        redis.disconnect();
      }
    });
  },
  'server',
);
