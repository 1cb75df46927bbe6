import type { Redis } from 'ioredis';
import { LuaScript } from '../queue/redis/lua-script.ts';
import type { Clock, TimerHandle } from '../resilience/index.ts';
import { releaseOwnedScript } from './circuit-scripts.ts';
import type { FleetLink } from './fleet-link.ts';

/**
 * ARGV: key, owner, ttl ms. Takes the lock with a new fencing epoch, or extends it if this
 * very holder (owner and epoch) still has it. Returns the value held ('' when another holds it).
 */
const lockScript = new LuaScript(`#!lua
local held = redis.call('GET', ARGV[1])
if held and string.sub(held, 1, #ARGV[2] + 1) == ARGV[2] .. '#' then
  redis.call('PEXPIRE', ARGV[1], ARGV[3])
  return held
end
if held then return '' end
local value = ARGV[2] .. '#' .. redis.call('INCR', ARGV[1] .. ':epoch')
redis.call('SET', ARGV[1], value, 'PX', ARGV[3])
return value
`);

export interface HealthLocksOptions {
  redis: Redis;
  prefix: string;
  clock: Clock;
  link: FleetLink;
  owner: string;
  /** How often the holder renews its lock and the others ask for it. */
  intervalMs: number;
}

interface Watched {
  register: () => () => void;
  unregister: (() => void) | undefined;
  timer: TimerHandle | undefined;
}

/**
 * One health checker per service for the whole fleet: a worker probes a service only while
 * it holds that service's lock (a TTL of three intervals, so a dead holder is replaced, and a
 * fencing epoch, so a holder that lost it cannot extend it). Its verdict reaches every worker
 * through the shared breaker state. While Redis is unreachable every worker probes for itself.
 */
export class FleetHealthLocks {
  readonly #options: HealthLocksOptions;
  readonly #watched = new Map<string, Watched>();
  readonly #offLink: () => void;

  constructor(options: HealthLocksOptions) {
    this.#options = options;
    this.#offLink = options.link.onChange(() => {
      for (const service of this.#watched.keys()) void this.#look(service);
    });
  }

  /** Keeps the service's probe registered (by `register`) while this worker is its checker. */
  watch(service: string, register: () => () => void): () => void {
    this.#watched.set(service, { register, unregister: undefined, timer: undefined });
    void this.#look(service);
    return () => {
      const watched = this.#watched.get(service);
      this.#watched.delete(service);
      watched?.timer?.clear();
      watched?.unregister?.();
    };
  }

  /** Whether this worker probes `service` now. */
  probes(service: string): boolean {
    return this.#watched.get(service)?.unregister !== undefined;
  }

  async #look(service: string): Promise<void> {
    const watched = this.#watched.get(service);
    if (!watched) return;
    const { redis, prefix, owner, intervalMs, link, clock } = this.#options;
    let mine = !link.connected; // alone: every worker is its own checker
    if (link.connected) {
      const key = `${prefix}:health:${service}`;
      mine = await lockScript.run(redis, [key, owner, Math.ceil(intervalMs * 3)]).then(
        (held) => held !== '',
        (error: unknown) => {
          link.reportFailure(error);
          return true;
        },
      );
    }
    if (this.#watched.get(service) !== watched) return; // unwatched meanwhile
    if (mine && !watched.unregister) watched.unregister = watched.register();
    if (!mine && watched.unregister) {
      watched.unregister();
      watched.unregister = undefined;
    }
    watched.timer?.clear();
    watched.timer = clock.setTimer(() => void this.#look(service), intervalMs);
  }

  /** Stops probing and gives the locks back. */
  async close(): Promise<void> {
    this.#offLink();
    const { redis, prefix, owner, link } = this.#options;
    const services = [...this.#watched.keys()];
    for (const service of services) {
      const watched = this.#watched.get(service)!;
      watched.timer?.clear();
      watched.unregister?.();
    }
    this.#watched.clear();
    if (!link.connected) return;
    await Promise.all(
      services.map(async (service) => {
        const key = `${prefix}:health:${service}`;
        const held = await redis.get(key).catch(() => null);
        if (held?.startsWith(`${owner}#`))
          await releaseOwnedScript.run(redis, [key, held]).catch(() => 0);
      }),
    );
  }
}
