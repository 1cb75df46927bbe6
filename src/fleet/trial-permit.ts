import type { Redis } from 'ioredis';
import type { Clock, TimerHandle, TrialPermits } from '../resilience/index.ts';
import { releaseOwnedScript, takeTrialScript } from './circuit-scripts.ts';
import type { FleetLink } from './fleet-link.ts';

export interface FleetTrialPermitOptions {
  redis: Redis;
  prefix: string;
  clock: Clock;
  link: FleetLink;
  owner: string;
  service: string;
  /** How long the permit lasts once taken (a holder that dies frees it after this). */
  ttlMs: number;
  /** How soon a refused caller asks again while the permit is being asked for. */
  askAgainMs?: number;
  /** A permit no trial of this worker took within this long goes back (another may use it). */
  unusedMs?: number;
  /** How long another worker's permit is believed, at most, before asking again. */
  believeOtherMs?: number;
}

export const fleetTrialPermitDefaults = { askAgainMs: 50, unusedMs: 500, believeOtherMs: 1_000 };

type State =
  | { kind: 'none' }
  | { kind: 'asking' }
  | { kind: 'held'; until: number; taken: boolean; unused: TimerHandle | undefined }
  | { kind: 'other'; until: number };

/**
 * The half-open trial permit of one service, for the whole fleet: a Redis key with a TTL
 * that one worker holds at a time. `held()` never waits: it answers from what this worker
 * knows and asks Redis in the background when it knows nothing. While Redis is unreachable
 * every worker runs its own trials (its breaker is local then).
 */
export class FleetTrialPermit implements TrialPermits {
  readonly #options: FleetTrialPermitOptions & typeof fleetTrialPermitDefaults;
  #state: State = { kind: 'none' };

  constructor(options: FleetTrialPermitOptions) {
    this.#options = { ...fleetTrialPermitDefaults, ...options };
  }

  held(): boolean {
    if (!this.#options.link.connected) return true;
    const now = this.#options.clock.now();
    const state = this.#state;
    if (state.kind === 'held' && now < state.until) return true;
    if (state.kind === 'other' && now < state.until) return false;
    if (state.kind !== 'asking') this.#ask();
    return false;
  }

  take(): boolean {
    if (!this.held()) return false;
    const state = this.#state;
    if (state.kind === 'held') {
      state.taken = true;
      state.unused?.clear();
    }
    return true;
  }

  retryAt(): number {
    const now = this.#options.clock.now();
    const state = this.#state;
    return state.kind === 'other' ? Math.max(now, state.until) : now + this.#options.askAgainMs;
  }

  release(): void {
    const was = this.#state.kind;
    if (this.#state.kind === 'held') this.#state.unused?.clear();
    this.#state = { kind: 'none' };
    if (was === 'other' || !this.#options.link.connected) return;
    const { redis, prefix, service, owner } = this.#options;
    releaseOwnedScript.run(redis, [`${prefix}:trial:${service}`, owner]).catch(() => undefined);
  }

  /** The circuit moved: what this worker knew of another's permit is stale. */
  forget(): void {
    if (this.#state.kind === 'other') this.#state = { kind: 'none' };
  }

  #ask(): void {
    const { redis, prefix, service, owner, ttlMs, clock, link } = this.#options;
    this.#state = { kind: 'asking' };
    takeTrialScript.run(redis, [prefix, service, owner, Math.ceil(ttlMs)]).then(
      (reply) => {
        if (this.#state.kind !== 'asking') return; // released or forgotten meanwhile
        const [granted, ms] = reply as [number, number];
        const now = clock.now();
        if (granted !== 1) {
          const until = now + Math.min(Math.max(0, ms), this.#options.believeOtherMs);
          this.#state = { kind: 'other', until };
          return;
        }
        // no trial of this worker came to take it (another worker claimed the contact the
        // trial was for): it goes back, and whoever has a trial to run may have it
        const unused = clock.setTimer(() => {
          const state = this.#state;
          if (state.kind === 'held' && !state.taken) this.release();
        }, this.#options.unusedMs);
        // keep a margin: this worker stops trusting its permit before Redis drops it
        this.#state = { kind: 'held', until: now + ms - 100, taken: false, unused };
      },
      (error: unknown) => {
        this.#state = { kind: 'none' };
        link.reportFailure(error);
      },
    );
  }
}
