import { Redis } from 'ioredis';
import { afterEach, expect, it } from 'vitest';
import {
  describeWithRedis,
  startRedisServer,
  type PrivateRedis,
} from '../../test/support/redis.ts';
import { systemClock } from '../resilience/index.ts';
import { Fleet } from './fleet.ts';
import { readRedisSettings, redisSettingsWarnings } from './redis-settings.ts';

describeWithRedis(
  "a Redis's settings for the fleet",
  () => {
    const opened: Array<{ server: PrivateRedis; redis: Redis }> = [];
    afterEach(async () => {
      for (const { server, redis } of opened.splice(0)) {
        redis.disconnect();
        await server.close();
      }
    });
    async function redisWith(options: { persist: boolean; policy: string }) {
      const server = await startRedisServer({
        persist: options.persist,
        extraArgs: ['--maxmemory-policy', options.policy],
      });
      const redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
      opened.push({ server, redis });
      return redis;
    }

    it('finds nothing to say of an append-only Redis that refuses rather than evicts', async () => {
      const settings = await readRedisSettings(
        await redisWith({ persist: true, policy: 'noeviction' }),
      );
      expect(settings).toEqual({ appendOnly: true, evictionPolicy: 'noeviction', replicas: 0 });
      expect(redisSettingsWarnings(settings)).toEqual([]);
    });

    it('warns of a Redis that forgets on restart and evicts when full', async () => {
      const settings = await readRedisSettings(
        await redisWith({ persist: false, policy: 'allkeys-lru' }),
      );
      expect(settings).toEqual({ appendOnly: false, evictionPolicy: 'allkeys-lru', replicas: 0 });
      const warnings = redisSettingsWarnings(settings);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toContain('(appendonly no)');
      expect(warnings[1]).toContain('(maxmemory-policy allkeys-lru)');
    });

    it('is told of by a worker joining the fleet, in its log', async () => {
      const server = await startRedisServer({ extraArgs: ['--maxmemory-policy', 'volatile-lru'] });
      opened.push({ server, redis: new Redis(server.url, { lazyConnect: true }) });
      const logged: Array<[string, string, string]> = [];
      const fleet = await Fleet.open({
        url: server.url,
        prefix: 'settings',
        workerId: 'w',
        clock: systemClock,
        limits: () => undefined,
        trialTtlMs: () => 10_000,
        permitTtlMs: () => 10_000,
        retryBudget: () => undefined,
        healthIntervalMs: 1_000,
        log: (level, message, event) => logged.push([level, message, event]),
      });
      await fleet.close();
      const warnings = logged.filter(([, , event]) => event === 'redis_settings');
      expect(warnings.map(([level]) => level)).toEqual(['WARNING', 'WARNING']);
      expect(warnings[1]![1]).toContain('(maxmemory-policy volatile-lru)');
    });
  },
  'server',
);

it('says nothing of settings a managed Redis does not show', () => {
  const unknown = { appendOnly: undefined, evictionPolicy: undefined, replicas: undefined };
  expect(redisSettingsWarnings(unknown, 1)).toEqual([]);
});

it('warns when calls wait for more replicas than Redis has: the first call would stop the worker', () => {
  const settings = { appendOnly: true, evictionPolicy: 'noeviction', replicas: 0 };
  expect(redisSettingsWarnings(settings, 0)).toEqual([]);
  expect(redisSettingsWarnings(settings, 1)).toEqual([
    'Redis has 0 replicas connected, and fleet.replicas_before_call asks 1 to confirm each call: the first call will stop the worker, the call not placed',
  ]);
  expect(redisSettingsWarnings({ ...settings, replicas: 2 }, 2)).toEqual([]);
});
