import type { CallQueue } from '../queue/call-queue.ts';
import type { Clock, Disposer, ServicePolicy, TimerHandle } from '../resilience/index.ts';

export interface WaitingRoomOptions {
  queue: Pick<CallQueue, 'releaseWaiting'>;
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
  /** The ramp's step. */
  tickMs?: number;
  /** The share of the full rate it starts at. */
  startShare?: number;
  /** Told when contacts were released (the worker's idle slots wake up). */
  onReleased?: (count: number) => void;
}

/** Contacts released by one write at full speed: a few ms of the event loop. */
const FULL_SPEED_BATCH = 500;

export const waitingRoomDefaults = {
  tickMs: 1_000,
  startShare: 0.1,
  onReleased: (() => undefined) as (count: number) => void,
};

/**
 * Lets the contacts that wait on a service (their circuit was open) back into the queue:
 * one at a time as the circuit's half-open trial when its recovery time comes, and all of
 * them once it closes — at a rate that grows from a tenth of full speed to full speed over
 * `rampMs` while the service keeps answering (as Envoy's slow start does), so a service that
 * just came back is not hit by every waiting contact at once. If it opens again, releasing
 * stops and only its next trial is let through.
 */
export class WaitingRoom {
  readonly #options: Required<WaitingRoomOptions>;
  readonly #timers = new Map<string, TimerHandle>();
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
    for (const [service, policy] of this.#options.policies) {
      this.#disposers.push(policy.onStateChanged(() => this.#follow(service, policy)));
      this.#follow(service, policy);
    }
  }

  stop(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
    for (const timer of this.#timers.values()) timer.clear();
    this.#timers.clear();
  }

  /** What the circuit's state asks for now: a ramp when closed, a trial when it may probe. */
  #follow(service: string, policy: ServicePolicy): void {
    this.#timers.get(service)?.clear();
    this.#timers.delete(service);
    if (policy.state === 'CLOSED') this.#ramp(service, policy, this.#options.clock.now());
    else if (policy.state === 'OPEN') this.#trialAt(service, policy);
  }

  /** One contact at the circuit's next attempt: the half-open trial, if no probe closes it first. */
  #trialAt(service: string, policy: ServicePolicy): void {
    const { clock } = this.#options;
    this.#after(service, Math.max(0, policy.nextAttemptAt() - clock.now()), () => {
      if (policy.state !== 'OPEN') return;
      if (policy.nextAttemptAt() > clock.now()) return this.#trialAt(service, policy);
      this.#release(service, 1, () => undefined);
    });
  }

  #ramp(service: string, policy: ServicePolicy, closedAt: number): void {
    const { clock, rampMs, fullRate, tickMs, startShare } = this.#options;
    const elapsed = clock.now() - closedAt;
    const share = rampMs <= 0 ? 1 : Math.max(startShare, Math.min(1, elapsed / rampMs));
    // at full speed, batches that each take a few ms, the next one as soon as the loop is free
    const limit = share >= 1 ? FULL_SPEED_BATCH : Math.max(1, Math.round(fullRate * share));
    this.#release(service, limit, (released) => {
      // On every tick while the circuit stays closed, also after the ramp: a contact whose
      // deferral was written just after the circuit closed is not left waiting.
      if (policy.state !== 'CLOSED') return;
      const more = share >= 1 && released === limit;
      this.#after(service, more ? 0 : tickMs, () => this.#ramp(service, policy, closedAt));
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

  #after(service: string, ms: number, run: () => void): void {
    this.#timers.set(
      service,
      this.#options.clock.setTimer(() => {
        this.#timers.delete(service);
        run();
      }, ms),
    );
  }
}
