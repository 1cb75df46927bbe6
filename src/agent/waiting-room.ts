import type { CallQueue } from '../queue/call-queue.ts';
import type { Clock, Disposer, ServicePolicy, TimerHandle } from '../resilience/index.ts';

export interface WaitingRoomOptions {
  queue: Pick<CallQueue, 'releaseWaiting' | 'waiting'>;
  /** The policy of each service, by name. */
  policies: ReadonlyMap<string, ServicePolicy>;
  clock: Clock;
  /**
   * After a circuit closes, how long the release of the contacts that waited on it takes to
   * reach full speed (a slow start); 0 releases them all at once.
   */
  rampMs: number;
  /** Contacts released per tick at full speed (the campaign's concurrency). */
  fullRate: number;
  /**
   * Services that can serve the contacts waiting on another, by the name of the one they wait
   * on: the fallback voice serves the contacts waiting on the first voice.
   */
  standIns?: ReadonlyMap<string, readonly string[]>;
  /** The ramp's step, and how long trial contacts get to be claimed before more are let in. */
  tickMs?: number;
  /** The share of the full rate it starts at. */
  startShare?: number;
  /** Told when contacts were released (the worker's idle slots wake up). */
  onReleased?: (count: number) => void;
}

/** Contacts released by one write at full speed: a few ms of the event loop. */
const FULL_SPEED_BATCH = 500;

export const waitingRoomDefaults = {
  standIns: new Map<string, readonly string[]>() as ReadonlyMap<string, readonly string[]>,
  tickMs: 1_000,
  startShare: 0.1,
  onReleased: (() => undefined) as (count: number) => void,
};

/** What the waiting room is doing for one service. */
type Mode = { kind: 'ramp'; closedAt: number } | { kind: 'trials'; quietUntil: number };

/**
 * Lets the contacts that wait on a service (their circuit was open) back into the queue.
 * While no circuit that can serve them is closed, only the trials the circuits want: when the
 * recovery time of one comes, and again whenever a half-open circuit wants another (a trial
 * ended without a verdict, or more successes are needed). Once one closes, all of them — at a
 * rate that grows from a tenth of full speed to full speed over `rampMs` while it keeps
 * answering (as Envoy's slow start does), so a service that just came back is not hit by
 * every waiting contact at once. If it opens again, releasing stops and only trials go.
 */
export class WaitingRoom {
  readonly #options: Required<WaitingRoomOptions>;
  readonly #timers = new Map<string, TimerHandle>();
  readonly #modes = new Map<string, Mode>();
  readonly #disposers: Disposer[] = [];
  #failure: ((error: unknown) => void) | undefined;

  constructor(options: WaitingRoomOptions) {
    this.#options = { ...waitingRoomDefaults, ...options };
  }

  /**
   * Starts watching the circuits. Contacts left waiting by an earlier run are released as if
   * their circuits had just closed (this process's circuits start closed). A queue failure is
   * handed to `onFailure`.
   */
  start(onFailure: (error: unknown) => void): void {
    this.#failure = onFailure;
    this.#releaseOrphans();
    for (const service of this.#options.policies.keys()) {
      const follow = (): void => this.#follow(service);
      for (const policy of this.#servers(service)) {
        // a trial's verdict may free a slot without a change of state
        this.#disposers.push(
          policy.onStateChanged(follow),
          policy.onCallSucceeded(follow),
          policy.onCallFailed(follow),
        );
      }
      follow();
    }
  }

  /**
   * Contacts an earlier run left waiting on a service this one does not have (a service
   * renamed, a fallback voice turned off) would wait for ever: they go back at once.
   */
  #releaseOrphans(): void {
    const { queue, policies } = this.#options;
    queue.waiting().then(
      (waiting) => {
        for (const { service } of waiting) {
          if (service !== undefined && !policies.has(service)) {
            this.#release(service, Number.MAX_SAFE_INTEGER, () => undefined);
          }
        }
      },
      (error: unknown) => this.#failure?.(error),
    );
  }

  stop(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
    for (const timer of this.#timers.values()) timer.clear();
    this.#timers.clear();
    this.#modes.clear();
  }

  /** The policies whose calls can serve the contacts waiting on `service`: its own first. */
  #servers(service: string): ServicePolicy[] {
    const { policies, standIns } = this.#options;
    return [service, ...(standIns.get(service) ?? [])]
      .map((name) => policies.get(name))
      .filter((policy) => policy !== undefined);
  }

  /** What the circuits ask for now: a ramp when one is closed, else the trials they want. */
  #follow(service: string): void {
    const servers = this.#servers(service);
    const mode = this.#modes.get(service);
    const now = this.#options.clock.now();
    if (servers.some((policy) => policy.state === 'CLOSED')) {
      if (mode?.kind === 'ramp') return;
      const ramp = { kind: 'ramp' as const, closedAt: now };
      this.#modes.set(service, ramp);
      return this.#ramp(service, ramp);
    }
    if (mode?.kind === 'trials' && mode.quietUntil > now) {
      return this.#after(service, mode.quietUntil - now, () => this.#follow(service));
    }
    const wanted = Math.max(...servers.map((policy) => policy.trialsWanted()));
    if (wanted > 0) {
      // The released contacts get a tick to be claimed before the circuits are asked again,
      // so a trial is not let in twice.
      const quietUntil = now + this.#options.tickMs;
      this.#modes.set(service, { kind: 'trials', quietUntil });
      this.#release(service, wanted, () => undefined);
      return this.#after(service, quietUntil - now, () => this.#follow(service));
    }
    this.#modes.set(service, { kind: 'trials', quietUntil: now });
    const next = Math.min(...servers.map((policy) => policy.nextAttemptAt()));
    this.#after(service, Math.max(0, next - now), () => this.#follow(service));
  }

  #ramp(service: string, ramp: Mode & { kind: 'ramp' }): void {
    const { clock, rampMs, fullRate, tickMs, startShare } = this.#options;
    const elapsed = clock.now() - ramp.closedAt;
    const share = rampMs <= 0 ? 1 : Math.max(startShare, Math.min(1, elapsed / rampMs));
    // at full speed, batches that each take a few ms, the next one as soon as the loop is free
    const limit = share >= 1 ? FULL_SPEED_BATCH : Math.max(1, Math.round(fullRate * share));
    this.#release(service, limit, (released) => {
      // On every tick while a circuit stays closed, also after the ramp: a contact whose
      // deferral was written just after the circuit closed is not left waiting.
      if (this.#modes.get(service) !== ramp) return;
      const more = share >= 1 && released === limit;
      this.#after(service, more ? 0 : tickMs, () => this.#ramp(service, ramp));
    });
  }

  #release(service: string, limit: number, then: (released: number) => void): void {
    this.#options.queue.releaseWaiting(service, limit).then(
      (released) => {
        if (released > 0) this.#options.onReleased(released);
        then(released);
      },
      (error: unknown) => this.#failure?.(error),
    );
  }

  /** Runs `run` after `ms`, in place of whatever was planned for the service. */
  #after(service: string, ms: number, run: () => void): void {
    this.#timers.get(service)?.clear();
    this.#timers.set(
      service,
      this.#options.clock.setTimer(() => {
        this.#timers.delete(service);
        run();
      }, ms),
    );
  }
}
