import { afterAll, expect, it } from 'vitest';
import {
  deleteKeys,
  describeWithRedis,
  TEST_REDIS_URL,
  testPrefix,
  testRedis,
} from '../../test/support/redis.ts';
import { SystemClock, VirtualClock, type Clock } from '../resilience/index.ts';
import { FleetLimits, type ServiceLimits } from './fleet-limits.ts';
import { FleetRetryBudget } from './fleet-retry-budget.ts';
import {
  eventually,
  measuredTime,
  workerParts,
  type WorkerParts,
} from './test-support/fleet-parts.ts';

/**
 * The limits run on Redis's clock (TIME), which no test can make virtual: these tests take a
 * few hundred ms of real time, and assert counts, never durations.
 */
describeWithRedis('limits and retry budget shared through Redis', () => {
  const redis = testRedis();
  const prefixes: string[] = [];
  const opened: WorkerParts[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((w) => w.close()));
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  async function twoWorkers(clock: Clock = new SystemClock()) {
    const name = testPrefix();
    prefixes.push(name);
    const prefix = `{${name}}`;
    const time = await measuredTime(redis, clock);
    const workers = [
      await workerParts(TEST_REDIS_URL, prefix, clock, time),
      await workerParts(TEST_REDIS_URL, prefix, clock, time),
    ];
    opened.push(...workers);
    return { clock, prefix, workers };
  }

  function gates(workers: WorkerParts[], prefix: string, clock: Clock, limits: ServiceLimits) {
    return workers.map(
      (w) =>
        new FleetLimits({
          redis: w.redis,
          prefix,
          clock,
          link: w.link,
          name: 'ElevenLabs',
          limits,
          permitTtlMs: 10_000,
          maxPollMs: 5,
        }),
    );
  }

  it('never lets more attempts in flight than the cap, whichever worker makes them', async () => {
    const { clock, prefix, workers } = await twoWorkers();
    const [a, b] = gates(workers, prefix, clock, { maxConcurrent: 2 });
    let inFlight = 0;
    let most = 0;
    const attempt = async (gate: FleetLimits): Promise<void> => {
      const leave = await gate.enter(undefined);
      most = Math.max(most, ++inFlight);
      await clock.sleep(10);
      inFlight--;
      leave();
    };
    await Promise.all([a, b, a, b, a, b, a, b].map((gate) => attempt(gate!)));
    expect(most).toBe(2);
    expect(await redis.zcard(`${prefix}:sem:ElevenLabs`)).toBe(0);
  });

  it('lets through at most `requests` in any window, whichever worker asks', async () => {
    const { clock, prefix, workers } = await twoWorkers();
    const [a, b] = gates(workers, prefix, clock, { rate: { requests: 2, perMs: 200 } });
    const admitted: number[] = [];
    await Promise.all(
      [a, b, a, b, a, b].map(async (gate) => {
        await gate!.enter(undefined);
        const [seconds, micros] = await redis.time();
        admitted.push(Number(seconds) * 1000 + Number(micros) / 1000);
      }),
    );
    admitted.sort((x, y) => x - y);
    // in any window shorter than 200 ms (less the round trip of reading the time), at most 2
    for (const start of admitted) {
      expect(admitted.filter((t) => t >= start && t < start + 180).length).toBeLessThanOrEqual(2);
    }
  });

  it('spends one retry budget for the fleet', async () => {
    const clock = new VirtualClock();
    const { prefix, workers } = await twoWorkers(clock);
    const budgets = workers.map(
      (w) =>
        new FleetRetryBudget({
          redis: w.redis,
          prefix,
          clock,
          link: w.link,
          name: 'ElevenLabs',
          maxTokens: 4,
          tokenRatio: 0,
          refillPerSecond: 0,
        }),
    );
    const [a, b] = budgets as [FleetRetryBudget, FleetRetryBudget];
    expect([a.tryWithdraw(), a.tryWithdraw(), a.tryWithdraw()]).toEqual([true, true, true]);
    await clock.advance(100); // a settles what it spent
    const key = `${prefix}:budget:ElevenLabs`;
    await eventually(async () => (await redis.hget(key, 'tokens')) === '1', 'a settled');
    b.recordCall();
    await clock.advance(100); // b settles, and reads what is left
    await eventually(() => b.tokens < 2, 'b sees what a spent');
    expect(b.tryWithdraw()).toBe(true);
    expect(b.tryWithdraw()).toBe(false);
  });
});
