import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Bulkhead } from '../resilience/bulkhead.ts';
import type { AttemptGate, Clock } from '../resilience/index.ts';
import type { FleetLink } from './fleet-link.ts';
import {
  givePermitScript,
  renewPermitScript,
  takePermitScript,
  takeRateScript,
} from './limit-scripts.ts';

/** One provider's limits for the whole fleet. */
export interface ServiceLimits {
  /** Requests in flight at once, fleet-wide. */
  maxConcurrent?: number | undefined;
  /** At most `requests` in any window of `perMs`, fleet-wide. */
  rate?: { requests: number; perMs: number } | undefined;
}

export interface FleetLimitsOptions {
  redis: Redis;
  prefix: string;
  clock: Clock;
  link: FleetLink;
  /** The limits' name in Redis (the service's). */
  name: string;
  limits: ServiceLimits;
  /** How long a concurrency permit lasts if its holder never gives it back (it died). */
  permitTtlMs: number;
  /** The longest wait between two asks while the fleet is at its limit. */
  maxPollMs?: number;
}

/** What this worker may use alone: its share, for the number of workers it counted. */
interface LocalShare {
  workers: number;
  slots: Bulkhead | undefined;
  /** When the next request may go (the rate, evenly spaced). */
  nextAt: number;
}

/**
 * An AttemptGate that keeps one provider under its limits across the fleet: a concurrency
 * cap (a Redis semaphore whose permits expire if their holder dies) and a rate (a sliding
 * window on Redis's clock). While Redis is unreachable the worker keeps to its share of
 * each limit (the limit divided by the live workers it last counted), and rejoins the
 * fleet's count when Redis is back.
 */
export class FleetLimits implements AttemptGate {
  readonly #options: FleetLimitsOptions & { maxPollMs: number };
  #local: LocalShare | undefined;

  constructor(options: FleetLimitsOptions) {
    this.#options = { maxPollMs: 50, ...options };
  }

  /**
   * The concurrency permit first, then the rate (the last thing before the request goes, so
   * the provider sees the rate); a permit held through a long wait for the rate is extended.
   */
  async enter(signal: AbortSignal | undefined): Promise<() => void> {
    const holder = randomUUID();
    const leave = await this.#concurrency(holder, signal);
    try {
      if (await this.#rate(signal)) this.#renew(holder);
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  #renew(holder: string): void {
    const { redis, prefix, name, permitTtlMs, limits, link } = this.#options;
    if (limits.maxConcurrent === undefined || !link.connected) return;
    renewPermitScript
      .run(redis, [prefix, name, holder, Math.ceil(permitTtlMs)])
      .catch(() => undefined);
  }

  async #concurrency(holder: string, signal: AbortSignal | undefined): Promise<() => void> {
    const { maxConcurrent } = this.#options.limits;
    if (maxConcurrent === undefined) return () => undefined;
    const { redis, prefix, name, permitTtlMs, link } = this.#options;
    for (;;) {
      if (!link.connected) return this.#localSlot(signal);
      try {
        const [taken, waitMs] = (await takePermitScript.run(redis, [
          prefix,
          name,
          maxConcurrent,
          holder,
          Math.ceil(permitTtlMs),
        ])) as [number, number];
        if (taken === 1) {
          return () => {
            givePermitScript.run(redis, [prefix, name, holder]).catch(() => undefined);
          };
        }
        await this.#pause(waitMs, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        link.reportFailure(error);
      }
    }
  }

  /** Waits for the rate; resolves with whether it had to wait. */
  async #rate(signal: AbortSignal | undefined): Promise<boolean> {
    const { rate } = this.#options.limits;
    if (rate === undefined) return false;
    const { redis, prefix, name, link } = this.#options;
    let waited = false;
    for (;;) {
      if (!link.connected) return (await this.#localPace(signal)) || waited;
      try {
        const [taken, waitMs] = (await takeRateScript.run(redis, [
          prefix,
          name,
          rate.requests,
          Math.ceil(rate.perMs),
          randomUUID(),
        ])) as [number, number];
        if (taken === 1) return waited;
        waited = true;
        await this.#options.clock.sleep(waitMs, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        link.reportFailure(error);
      }
    }
  }

  /** Waits before asking again: the permit's expiry at the latest, a few ms at first. */
  #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const { clock, maxPollMs } = this.#options;
    return clock.sleep(Math.min(ms, maxPollMs * (0.5 + Math.random() / 2)), signal);
  }

  /** This worker's share of the fleet's limits, while it counts alone. */
  #share(): LocalShare {
    const workers = Math.max(1, this.#options.link.status.workers);
    if (this.#local?.workers !== workers) {
      const { maxConcurrent } = this.#options.limits;
      this.#local = {
        workers,
        slots:
          maxConcurrent === undefined
            ? undefined
            : new Bulkhead({
                service: this.#options.name,
                maxConcurrent: Math.max(1, Math.floor(maxConcurrent / workers)),
                maxQueue: Number.POSITIVE_INFINITY,
              }),
        nextAt: this.#local?.nextAt ?? 0,
      };
    }
    return this.#local;
  }

  async #localSlot(signal: AbortSignal | undefined): Promise<() => void> {
    const slots = this.#share().slots!;
    await slots.enter(signal);
    return () => slots.release();
  }

  /** Evenly spaced: the fleet's rate divided among the workers. */
  async #localPace(signal: AbortSignal | undefined): Promise<boolean> {
    const { rate } = this.#options.limits;
    const share = this.#share();
    const spacing = (rate!.perMs * share.workers) / rate!.requests;
    const now = this.#options.clock.now();
    const at = Math.max(now, share.nextAt);
    share.nextAt = at + spacing;
    if (at <= now) return false;
    await this.#options.clock.sleep(at - now, signal);
    return true;
  }
}
