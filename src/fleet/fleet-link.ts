import type { Redis } from 'ioredis';
import type { Clock, TimerHandle } from '../resilience/index.ts';
import { LuaScript } from '../queue/redis/lua-script.ts';
import type { RedisTime } from './redis-time.ts';

/** Whether this worker shares the fleet's state, and how many workers the fleet has. */
export interface FleetStatus {
  connected: boolean;
  /** Live workers at the last heartbeat (this one included; 1 before any). */
  workers: number;
  /** Why it is not connected. */
  error?: string | undefined;
}

export interface FleetLinkOptions {
  /** The fail-fast connection. */
  redis: Redis;
  /** The keys' prefix, braces included: `{call-agent}`. */
  prefix: string;
  workerId: string;
  clock: Clock;
  time: RedisTime;
  /** How often the worker says it is alive and looks at the others. */
  heartbeatMs?: number;
  /** A worker not heard of for this long is gone. */
  memberTtlMs?: number;
}

export const fleetLinkDefaults = { heartbeatMs: 2_000, memberTtlMs: 10_000 };

/** ARGV: prefix, worker id, ttl. Registers the worker; returns how many are alive. */
const heartbeatScript = new LuaScript(`#!lua
local key = ARGV[1] .. ':workers'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', key, now + tonumber(ARGV[3]), ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
return redis.call('ZCARD', key)
`);

/**
 * The worker's membership of the fleet: a heartbeat that registers it and counts the live
 * workers (each takes its share of the fleet's limits when Redis is unreachable), and the
 * connection's state. Tells its subscribers when the worker loses Redis and when it rejoins.
 */
export class FleetLink {
  readonly #options: FleetLinkOptions & typeof fleetLinkDefaults;
  readonly #listeners = new Set<(status: FleetStatus) => void>();
  readonly #beatListeners = new Set<() => void>();
  #status: FleetStatus = { connected: false, workers: 1 };
  #timer: TimerHandle | undefined;
  #stopped = false;
  #beating: Promise<void> | undefined;

  constructor(options: FleetLinkOptions) {
    this.#options = { ...fleetLinkDefaults, ...options };
    const { redis } = this.#options;
    redis.on('close', () => this.#lost('the connection to Redis closed'));
    redis.on('ready', () => void this.beat());
  }

  get status(): FleetStatus {
    return { ...this.#status };
  }

  get connected(): boolean {
    return this.#status.connected;
  }

  /** Tells `listener` of every change of `connected`; returns the unsubscriber. */
  onChange(listener: (status: FleetStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells `listener` after every heartbeat that reached Redis; returns the unsubscriber. */
  onBeat(listener: () => void): () => void {
    this.#beatListeners.add(listener);
    return () => this.#beatListeners.delete(listener);
  }

  /** The first heartbeat, then one every `heartbeatMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.#schedule();
  }

  /** One heartbeat now; a failure makes the worker go local until one succeeds. */
  beat(): Promise<void> {
    this.#beating ??= this.#beat().finally(() => (this.#beating = undefined));
    return this.#beating;
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const { redis, prefix, workerId, memberTtlMs, time } = this.#options;
    try {
      await time.measure(redis);
      const workers = (await heartbeatScript.run(redis, [prefix, workerId, memberTtlMs])) as number;
      this.#set({ connected: true, workers: Math.max(1, workers) });
      for (const listener of [...this.#beatListeners]) listener();
    } catch (error) {
      this.#lost(error instanceof Error ? error.message : String(error));
    }
  }

  /** A command to Redis failed: the worker goes local until the next heartbeat succeeds. */
  reportFailure(error: unknown): void {
    this.#lost(error instanceof Error ? error.message : String(error));
  }

  #lost(why: string): void {
    if (this.#stopped) return;
    this.#set({ connected: false, workers: this.#status.workers, error: why });
  }

  #set(status: FleetStatus): void {
    const changed = status.connected !== this.#status.connected;
    this.#status = status;
    if (changed) for (const listener of [...this.#listeners]) listener({ ...status });
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#options.clock.setTimer(() => {
      void this.beat().then(() => this.#schedule());
    }, this.#options.heartbeatMs);
  }

  /** Stops the heartbeat and leaves the fleet (best effort). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timer?.clear();
    await this.#beating;
    const { redis, prefix, workerId } = this.#options;
    if (this.#status.connected) await redis.zrem(`${prefix}:workers`, workerId).catch(() => 0);
  }
}
