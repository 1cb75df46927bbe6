import type { Redis } from 'ioredis';
import type { Clock } from '../resilience/index.ts';

/**
 * How far Redis's clock is from this process's: what the fleet shares carries Redis's time,
 * so a worker whose clock is off still opens, half-opens and expires on the fleet's time.
 * Measured as NTP does, from the middle of a round trip.
 */
export class RedisTime {
  readonly #clock: Clock;
  #offsetMs = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Redis's time minus ours, as last measured (0 before any measure). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  async measure(redis: Redis): Promise<void> {
    const before = this.#clock.now();
    const [seconds, micros] = await redis.time();
    const after = this.#clock.now();
    const redisNow = Number(seconds) * 1000 + Number(micros) / 1000;
    this.#offsetMs = Math.round(redisNow - (before + after) / 2);
  }

  /** A time of ours as Redis's clock tells it. */
  toRedis(time: number): number {
    return time + this.#offsetMs;
  }

  /** A time of Redis's clock as ours tells it. */
  toLocal(time: number): number {
    return time - this.#offsetMs;
  }
}
