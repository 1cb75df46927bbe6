import type { Redis } from 'ioredis';
import { loadConfig } from '../config.ts';
import {
  closeConnection,
  commandConnection,
  fleetLinkDefaults,
  liveWorkers,
  redisLocation,
  selectDatabase,
} from '../fleet/index.ts';
import { RedisCallQueue } from '../queue/redis/redis-call-queue.ts';
import { fleetQueueAddress, fleetQueueOptions } from './fleet-from-config.ts';
import type { CommandQueue } from './open-queue.ts';
import { NoQueueError } from './queue-file.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The fleet's queue on Redis (REDIS_URL, the configuration's `fleet.key_prefix`) for a
 * one-shot command. Fails with the connection's own error when Redis does not answer within
 * about a second, and with NoQueueError when nothing was ever enqueued under the prefix (a
 * mistyped prefix or URL, rather than an empty campaign).
 */
export async function openFleetQueue(
  configPath: string | undefined,
  env: Env,
): Promise<CommandQueue> {
  const config = loadConfig(configPath, env);
  const { url, prefix, where } = fleetQueueAddress(config, env);
  const redis = await reachRedis(url);
  const exists = await redis.exists(`${prefix}:seq`).catch((error: unknown) => {
    closeConnection(redis);
    throw error;
  });
  if (exists === 0) {
    closeConnection(redis);
    throw new NoQueueError(
      where,
      "(`run --queue redis` creates it; REDIS_URL and the configuration's fleet.key_prefix name another)",
    );
  }
  const queue = new RedisCallQueue({
    ...fleetQueueOptions(config),
    redis,
    prefix: config.fleet.key_prefix,
    location: where,
  });
  return {
    queue,
    where,
    taker: 'a `call-agent worker`',
    workers: async () => ({
      alive: await liveWorkers(redis, prefix),
      heardWithinMs: fleetLinkDefaults.memberTtlMs,
    }),
    close: async () => {
      await queue.close();
      closeConnection(redis);
    },
  };
}

/**
 * A connection to the Redis at `url` for a one-shot command, once it answers; when it does not
 * within about a second, an error naming it and the connection's own error.
 */
export async function reachRedis(url: string): Promise<Redis> {
  let lastError: Error | undefined;
  const redis = commandConnection({ url, onError: (error) => (lastError = error) });
  try {
    await redis.ping();
  } catch (error) {
    closeConnection(redis);
    const cause = lastError?.message ?? (error as Error).message;
    throw new Error(`Redis at ${redisLocation(url)} does not answer: ${cause}`);
  }
  try {
    await selectDatabase(redis, redisLocation(url));
    return redis;
  } catch (error) {
    closeConnection(redis);
    throw error;
  }
}
