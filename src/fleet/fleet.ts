import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CampaignFleet } from '../agent/campaign-fleet.ts';
import { readRedisSettings, redisSettingsWarnings } from './redis-settings.ts';
import { RedisCallQueue, type RedisCallQueueOptions } from '../queue/redis/redis-call-queue.ts';
import type { Clock, Disposer, PolicyDependencies, ServicePolicy } from '../resilience/index.ts';
import type { RetryBudgetOptions } from '../resilience/retry-budget.ts';
import { releaseOwnedScript } from './circuit-scripts.ts';
import { FleetLink, type FleetStatus } from './fleet-link.ts';
import { FleetLimits, type ServiceLimits } from './fleet-limits.ts';
import { FleetRetryBudget } from './fleet-retry-budget.ts';
import { FleetHealthLocks } from './health-locks.ts';
import { RedisCircuitStateStore } from './redis-circuit-store.ts';
import {
  closeConnection,
  fastConnection,
  queueConnection,
  redisLocation,
  subscriberConnection,
  waitForRedis,
} from './redis-connections.ts';
import { RedisTime } from './redis-time.ts';

export type FleetLogLevel = 'INFO' | 'WARNING' | 'ERROR';

export interface FleetOptions {
  /** `redis://…` */
  url: string;
  /** Prefix of every key (it becomes their `{hash tag}`), e.g. `call-agent`. */
  prefix: string;
  /** This worker's name in the fleet. */
  workerId: string;
  clock: Clock;
  /** A service's fleet-wide limits, by its name (`Twilio` …), if it has any. */
  limits: (service: string) => ServiceLimits | undefined;
  /** How long a service's half-open trial may hold the fleet's permit (longer than a trial). */
  trialTtlMs: (service: string) => number;
  /** How long a service's attempt may hold a concurrency permit (longer than an attempt). */
  permitTtlMs: (service: string) => number;
  /** The retry budget of a service (undefined: none), counted fleet-wide. */
  retryBudget: (service: string) => RetryBudgetOptions | undefined;
  /** The health check's interval: the health locks are renewed at this pace. */
  healthIntervalMs: number;
  /** Where the fleet says what happens to it (Redis lost, rejoined). */
  log: (level: FleetLogLevel, message: string, event: string) => void;
  /** Replicas each call waits for (see RedisCallQueueOptions): warned of when Redis has fewer. */
  replicasBeforeCall?: number | undefined;
  /** Stops `open` waiting for a Redis that does not answer. */
  signal?: AbortSignal | undefined;
}

/** How long one worker may replay the outbox before another may (it releases it sooner). */
const OUTBOX_TURN_MS = 60_000;

/**
 * A worker's place in a fleet on Redis: the call queue, and the resilience state the
 * workers share — breaker state and its half-open trial permit, one health checker per
 * service, provider limits, the retry budget, the CRM outbox's replay turn. The queue's
 * connection waits through an outage; the rest fails fast and goes local (each worker its
 * share of the limits), says so, and rejoins when Redis is back.
 */
export class Fleet implements CampaignFleet {
  readonly link: FleetLink;
  readonly store: RedisCircuitStateStore;
  readonly location: string;
  readonly #options: FleetOptions;
  readonly #queueRedis: Redis;
  readonly #fast: Redis;
  readonly #subscriber: Redis;
  readonly #healthLocks: FleetHealthLocks;
  readonly #prefix: string;
  readonly #owner: string;
  readonly #wakeListeners = new Set<() => void>();
  readonly #channelListeners = new Map<string, Set<(message: string) => void>>();
  readonly #disposers: Disposer[] = [];
  /** Whether the worker said it lost Redis (and so should say when it is back). */
  #saidLost = false;

  private constructor(options: FleetOptions) {
    this.#options = options;
    this.#prefix = `{${options.prefix}}`;
    this.#owner = `${options.workerId}:${randomUUID()}`;
    this.location = redisLocation(options.url);
    const onError = (): void => undefined; // the link reports what matters
    this.#queueRedis = queueConnection({ url: options.url, onError });
    this.#fast = fastConnection({ url: options.url, onError });
    this.#subscriber = subscriberConnection({ url: options.url, onError });
    const time = new RedisTime(options.clock);
    this.link = new FleetLink({
      redis: this.#fast,
      prefix: this.#prefix,
      workerId: options.workerId,
      clock: options.clock,
      time,
    });
    this.store = new RedisCircuitStateStore({
      redis: this.#fast,
      subscriber: this.#subscriber,
      prefix: this.#prefix,
      clock: options.clock,
      time,
      link: this.link,
      owner: this.#owner,
      trialTtlMs: options.trialTtlMs,
    });
    this.#healthLocks = new FleetHealthLocks({
      redis: this.#fast,
      prefix: this.#prefix,
      clock: options.clock,
      link: this.link,
      owner: this.#owner,
      intervalMs: options.healthIntervalMs,
    });
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel === `${this.#prefix}:wake`) for (const wake of this.#wakeListeners) wake();
      for (const listener of this.#channelListeners.get(channel) ?? []) listener(message);
    });
    this.#disposers.push(
      this.link.onChange((status) => this.#tell(status)),
      // pub/sub delivers at most once: what a worker missed, its next heartbeat reads
      this.link.onBeat(() => void this.store.refresh()),
    );
  }

  /**
   * Connects (waiting for Redis, however long it takes) and joins the fleet; logs a warning
   * for each setting of Redis that could lose the queue (see `redisSettingsWarnings`).
   */
  static async open(options: FleetOptions): Promise<Fleet> {
    const fleet = new Fleet(options);
    try {
      await waitForRedis(
        fleet.#queueRedis,
        fleet.location,
        (message) => options.log('WARNING', message, 'fleet_waiting'),
        options.signal,
      );
      await fleet.#subscriber.subscribe(`${fleet.#prefix}:wake`, `${fleet.#prefix}:cb`);
      await fleet.link.start();
      const settings = await readRedisSettings(fleet.#queueRedis);
      for (const warning of redisSettingsWarnings(settings, options.replicasBeforeCall)) {
        options.log('WARNING', warning, 'redis_settings');
      }
      return fleet;
    } catch (error) {
      await fleet.close();
      throw error;
    }
  }

  /** The call queue on this fleet's Redis. */
  queue(
    options: Pick<
      RedisCallQueueOptions,
      'maxFailedAttempts' | 'clock' | 'replicasBeforeCall' | 'replicaTimeoutMs'
    >,
  ): RedisCallQueue {
    return new RedisCallQueue({
      ...options,
      redis: this.#queueRedis,
      prefix: this.#options.prefix,
      location: `${this.location} ${this.#prefix}`,
    });
  }

  policyDependencies(service: string): Pick<PolicyDependencies, 'attemptGate' | 'retryBudget'> {
    const { clock, limits, permitTtlMs, retryBudget } = this.#options;
    const serviceLimits = limits(service);
    const shared = { redis: this.#fast, prefix: this.#prefix, clock, link: this.link };
    const budget = retryBudget(service);
    return {
      attemptGate:
        serviceLimits &&
        new FleetLimits({
          ...shared,
          name: service,
          limits: serviceLimits,
          permitTtlMs: permitTtlMs(service),
        }),
      retryBudget: budget && new FleetRetryBudget({ ...budget, ...shared, name: service }),
    };
  }

  /** Shares the breakers of these policies with the fleet, each adopting the fleet's state. */
  async attach(policies: Iterable<ServicePolicy>): Promise<void> {
    for (const policy of policies) {
      this.#disposers.push(await policy.attachStore(this.store));
    }
  }

  probe(service: string, register: () => Disposer): Disposer {
    return this.#healthLocks.watch(service, register);
  }

  async outboxTurn(): Promise<(() => void) | undefined> {
    if (!this.link.connected) return () => undefined; // alone, as a single worker is
    const key = `${this.#prefix}:outbox-turn`;
    const taken = await this.#fast
      .set(key, this.#owner, 'PX', OUTBOX_TURN_MS, 'NX')
      .catch((error: unknown) => {
        this.link.reportFailure(error);
        return 'OK' as const;
      });
    if (taken !== 'OK') return undefined;
    return () => {
      releaseOwnedScript.run(this.#fast, [key, this.#owner]).catch(() => undefined);
    };
  }

  /** How many workers the fleet has (this one included), as last counted. */
  get workers(): number {
    return this.link.status.workers;
  }

  /** Tells `listener` when contacts fell due at once (enqueued, released, requeued). */
  onWake(listener: () => void): Disposer {
    this.#wakeListeners.add(listener);
    return () => this.#wakeListeners.delete(listener);
  }

  /**
   * Tells `listener` of each message published on `{prefix}:<channel>` (subscribed while
   * someone listens; resubscribed after a reconnect). Resolves once subscribed.
   */
  async listen(channel: string, listener: (message: string) => void): Promise<Disposer> {
    const name = `${this.#prefix}:${channel}`;
    const listeners = this.#channelListeners.get(name) ?? new Set();
    this.#channelListeners.set(name, listeners);
    listeners.add(listener);
    const stop = (): void => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      this.#channelListeners.delete(name);
      void this.#subscriber.unsubscribe(name).catch(() => undefined);
    };
    if (listeners.size === 1)
      await this.#subscriber.subscribe(name).catch((error: unknown) => {
        stop();
        throw error;
      });
    return stop;
  }

  #tell(status: FleetStatus): void {
    const { log } = this.#options;
    if (status.connected) {
      if (!this.#saidLost) return; // the first connection is no news
      this.#saidLost = false;
      log(
        'INFO',
        `Redis ${this.location} answers again: breakers, limits and health checks are the fleet's again`,
        'fleet_rejoined',
      );
    } else {
      this.#saidLost = true;
      log(
        'WARNING',
        `Redis ${this.location} unreachable (${status.error ?? 'no answer'}): going on with local breakers and ${status.workers > 1 ? `1/${status.workers} of the fleet's limits` : "the fleet's limits"}; queued contacts wait in Redis`,
        'fleet_degraded',
      );
    }
  }

  /** Leaves the fleet: gives back the health locks, stops the heartbeat, closes the connections. */
  async close(): Promise<void> {
    for (const dispose of this.#disposers.splice(0)) dispose();
    await this.#healthLocks.close().catch(() => undefined);
    await this.link.stop().catch(() => undefined);
    for (const redis of [this.#subscriber, this.#fast, this.#queueRedis]) closeConnection(redis);
  }
}
