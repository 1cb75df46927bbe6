import { afterAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../../test/support/redis.ts';
import { systemClock } from '../resilience/index.ts';
import { Fleet } from './fleet.ts';
import { eventually } from './test-support/fleet-parts.ts';

describeWithRedis('a worker in the fleet', () => {
  const redis = testRedis();
  const prefix = testPrefix();
  const fleets: Fleet[] = [];
  afterAll(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  async function join(workerId: string): Promise<Fleet> {
    const fleet = await Fleet.open({
      url: TEST_REDIS_URL,
      prefix,
      workerId,
      clock: systemClock,
      limits: () => undefined,
      trialTtlMs: () => 10_000,
      permitTtlMs: () => 10_000,
      retryBudget: () => undefined,
      healthIntervalMs: 1_000,
      log: () => undefined,
    });
    fleets.push(fleet);
    return fleet;
  }

  it('counts the workers, lets one replay the outbox at a time, and wakes them all on new work', async () => {
    const [a, b] = [await join('a'), await join('b')];
    await a.link.beat();
    expect(a.workers).toBe(2);

    const aTurn = await a.outboxTurn();
    expect(aTurn).toBeDefined();
    expect(await b.outboxTurn()).toBeUndefined();
    aTurn!();
    await eventually(async () => (await redis.exists(`{${prefix}}:outbox-turn`)) === 0, 'ended');
    const bTurn = await b.outboxTurn();
    expect(bTurn).toBeDefined();
    bTurn!();

    let woken = 0;
    a.onWake(() => woken++);
    b.onWake(() => woken++);
    await a
      .queue({ maxFailedAttempts: 5 })
      .enqueue([{ id: 'c1', name: 'C', phone: '+14155550101' }]);
    await eventually(() => woken === 2, 'both woken');
  });
});
