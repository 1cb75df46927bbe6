import type { AppConfig } from '../config.ts';
import {
  closeConnection,
  liveWorkers,
  readRedisSettings,
  redisSettingsWarnings,
} from '../fleet/index.ts';
import type { CheckLine } from './check-steps.ts';
import { fleetQueueAddress } from './fleet-from-config.ts';
import { reachRedis } from './fleet-queue.ts';
import { count } from '../text/count.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * `check --queue redis`: the fleet's Redis answers, what its queue holds and how many workers
 * are alive, and whether Redis keeps what it is told (append-only, no eviction). Writes nothing.
 */
export async function checkFleetQueue(config: AppConfig, env: Env): Promise<CheckLine[]> {
  const { url, prefix, where } = fleetQueueAddress(config, env);
  let redis;
  try {
    redis = await reachRedis(url);
  } catch (error) {
    return [{ verdict: 'FAIL', text: `queue: ${(error as Error).message}` }];
  }
  try {
    const [contacts, workers, settings] = await Promise.all([
      redis.zcard(`${prefix}:order`),
      liveWorkers(redis, prefix),
      readRedisSettings(redis),
    ]);
    const held =
      contacts === 0 ? 'empty: the first `run --queue redis` fills it' : count(contacts, 'contact');
    return [
      { verdict: 'ok', text: `queue: ${where}: ${held}; ${count(workers, 'worker')} alive` },
      ...redisSettingsWarnings(settings, config.fleet.replicas_before_call).map(
        (text): CheckLine => ({ verdict: 'warn', text }),
      ),
    ];
  } finally {
    closeConnection(redis);
  }
}
