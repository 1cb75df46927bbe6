import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CircuitBreaker } from '../../resilience/circuit-breaker.ts';
import type { Clock } from '../../resilience/index.ts';
import { FleetLink } from '../fleet-link.ts';
import { RedisCircuitStateStore } from '../redis-circuit-store.ts';
import { fastConnection, subscriberConnection } from '../redis-connections.ts';
import { RedisTime } from '../redis-time.ts';

/**
 * One worker of a fleet as the tests need it: its own connections, link and breaker store,
 * on the given clock and key prefix (braces included). The workers of one test share one
 * RedisTime, so the times they exchange come back exactly.
 */
export async function workerParts(url: string, prefix: string, clock: Clock, time: RedisTime) {
  const redis = fastConnection({ url });
  const subscriber = subscriberConnection({ url });
  const workerId = `w-${randomUUID().slice(0, 6)}`;
  const link = new FleetLink({ redis, prefix, workerId, clock, time, heartbeatMs: 60_000 });
  const owner = `${workerId}:${randomUUID()}`;
  const store = new RedisCircuitStateStore({
    redis,
    subscriber,
    prefix,
    clock,
    time,
    link,
    owner,
    trialTtlMs: () => 20_000,
  });
  await subscriber.subscribe(`${prefix}:cb`);
  await link.beat();
  const breaker = async (service = 'ElevenLabs'): Promise<CircuitBreaker> => {
    const made = new CircuitBreaker({
      service,
      failureThreshold: 2,
      recoveryTimeoutMs: 10_000,
      clock,
    });
    await made.attachStore(store);
    return made;
  };
  return {
    prefix,
    redis,
    subscriber,
    link,
    store,
    owner,
    breaker,
    close: async (): Promise<void> => {
      await link.stop();
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

export type WorkerParts = Awaited<ReturnType<typeof workerParts>>;

/** A RedisTime measured once against `redis`, on `clock`. */
export async function measuredTime(redis: Redis, clock: Clock): Promise<RedisTime> {
  const time = new RedisTime(clock);
  await time.measure(redis);
  return time;
}

/** Resolves once `condition` holds (polled every 5 ms: pub/sub takes a round trip), or throws. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 2_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > timeoutMs) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
