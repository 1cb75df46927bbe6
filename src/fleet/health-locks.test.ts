import { afterAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../../test/support/redis.ts';
import { VirtualClock } from '../resilience/index.ts';
import { FleetHealthLocks } from './health-locks.ts';
import {
  eventually,
  measuredTime,
  workerParts,
  type WorkerParts,
} from './test-support/fleet-parts.ts';

describeWithRedis('one health checker per service for the fleet', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  const opened: WorkerParts[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((w) => w.close()));
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('lets one worker probe a service at a time, and another take over when it leaves or dies', async () => {
    const name = testPrefix();
    prefixes.push(name);
    const prefix = `{${name}}`;
    const clock = new VirtualClock();
    const time = await measuredTime(redis, clock);
    const workers: WorkerParts[] = [];
    for (let i = 0; i < 3; i++)
      workers.push(await workerParts(TEST_REDIS_URL, prefix, clock, time));
    opened.push(...workers);
    const probing = new Set<number>();
    const locks = workers.map(
      (w) =>
        new FleetHealthLocks({
          redis: w.redis,
          prefix,
          clock,
          link: w.link,
          owner: w.owner,
          intervalMs: 1_000,
        }),
    );
    locks.forEach((lock, i) =>
      lock.watch('ElevenLabs', () => {
        probing.add(i);
        return () => probing.delete(i);
      }),
    );
    await eventually(() => probing.size === 1, 'one checker');
    const first = [...probing][0]!;
    await clock.advance(1_000); // everyone looks again: the holder keeps it
    await eventually(
      async () => (await redis.pttl(`${prefix}:health:ElevenLabs`)) > 2_000,
      'renewed',
    );
    expect([...probing]).toEqual([first]);

    await locks[first]!.close(); // it leaves, giving the lock back
    await clock.advance(1_000);
    await eventually(() => probing.size === 1 && !probing.has(first), 'another took over');
    const second = [...probing][0]!;

    // the second dies: its lock stays until its TTL (three intervals) runs out
    workers[second]!.redis.disconnect();
    const ttl = await redis.pttl(`${prefix}:health:ElevenLabs`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3_000);
    probing.delete(second); // a dead process probes nothing
    await redis.del(`${prefix}:health:ElevenLabs`); // what Redis does once the TTL runs out
    await clock.advance(1_000);
    const last = [0, 1, 2].find((i) => i !== first && i !== second)!;
    await eventually(() => probing.has(last), 'the last one took over');
    expect(Number(await redis.get(`${prefix}:health:ElevenLabs:epoch`))).toBe(3);
  });
});
