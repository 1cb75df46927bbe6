import type { Redis } from 'ioredis';

/** The workers of the fleet under `prefix` (braces included) that are alive now. */
export async function liveWorkers(redis: Redis, prefix: string): Promise<number> {
  const [seconds, micros] = await redis.time();
  const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  return redis.zcount(`${prefix}:workers`, now, '+inf');
}
