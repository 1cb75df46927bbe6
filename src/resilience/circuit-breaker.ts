import type { Clock } from './clock.ts';
import { describeError, isPermanentError, type ErrorInfo } from './errors.ts';
import { EventEmitter, type Disposer, type Subscribe } from './events.ts';
import type {
  CallContext,
  CircuitInfo,
  CircuitState,
  CircuitStoreErrorEvent,
  StateChangeReason,
  StateChangedEvent,
} from './policy-events.ts';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './breaker/breaker-options.ts';
import { ProbeSlots } from './breaker/probe-slots.ts';
import { RateTrip, type FailureRateOptions, type SlowCallOptions } from './breaker/rate-trip.ts';
import type { CircuitSnapshot, CircuitStateStore, TrialPermits } from './breaker/state-store.ts';
import { linkStore } from './breaker/store-link.ts';

export type { CircuitBreakerOptions } from './breaker/breaker-options.ts';
export type { FailureRateOptions, SlowCallOptions } from './breaker/rate-trip.ts';

/** Whether a passing health probe proves the condition behind this (permanent/service) error gone. */
export type ProvesRecoveryFrom = (error: ErrorInfo) => boolean;

/** Returned by `tryAcquire` when the call is refused. */
export const REJECTED = -1;

/** What a transition to OPEN carries. */
interface Opening {
  error?: unknown;
  context?: CallContext | undefined;
  /** Open at least until this time. */
  until?: number | undefined;
  /** Opened by hand. */
  held?: boolean;
}

/**
 * A circuit breaker: CLOSED → OPEN → HALF_OPEN → CLOSED. It counts whole calls (after their
 * retries). Admission is synchronous, so in half-open exactly `halfOpenMaxCalls` callers get
 * through however many arrive at once; the rest fail fast.
 *
 * A permit is the breaker's generation at admission: an outcome reported for an older
 * generation (a call that started before the last state change) does not move the state.
 */
export class CircuitBreaker {
  readonly service: string;
  // fields rather than one options object: an idle breaker stays small
  readonly #failureThreshold: number;
  readonly #recoveryTimeoutMs: number;
  readonly #halfOpenMaxCalls: number;
  readonly #halfOpenTimeoutMs: number;
  readonly #failureRate: FailureRateOptions | undefined;
  readonly #slowCall: SlowCallOptions | undefined;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #clock: Clock;
  // made when first needed: an idle breaker carries neither
  #rates: RateTrip | undefined;
  #probes: ProbeSlots | undefined;
  #state: CircuitState = 'CLOSED';
  #generation = 0;
  #reason: StateChangeReason | undefined;
  #openedAt: number | undefined;
  #updatedAt = 0;
  #openUntil: number | undefined;
  #held = false;
  #cause: ErrorInfo | undefined;
  #sharedVersion = 0;
  #permits: TrialPermits | undefined;
  #consecutiveFailures = 0;
  /** Closed by a health probe, and no call has succeeded since. */
  #probeUnconfirmed = false;
  /**
   * The probe said healthy and the service belied it (reopened before any call succeeded): its
   * passes close the circuit no more, until a half-open trial call does.
   */
  #probeBelied = false;
  #changes: EventEmitter<StateChangedEvent> | undefined;
  #storeErrors: EventEmitter<CircuitStoreErrorEvent> | undefined;

  constructor(options: CircuitBreakerOptions) {
    const resolved = resolveBreakerOptions(options);
    this.service = resolved.service;
    this.#failureThreshold = resolved.failureThreshold;
    this.#recoveryTimeoutMs = resolved.recoveryTimeoutMs;
    this.#halfOpenMaxCalls = resolved.halfOpenMaxCalls;
    this.#halfOpenTimeoutMs = resolved.halfOpenTimeoutMs;
    this.#failureRate = resolved.failureRate;
    this.#slowCall = resolved.slowCall;
    this.#isFailure = resolved.isFailure;
    this.#clock = resolved.clock;
  }

  /** Subscribes to state changes. */
  get onStateChanged(): Subscribe<StateChangedEvent> {
    this.#changes ??= new EventEmitter();
    return this.#changes.subscribe;
  }

  /** Subscribes to failures of the attached state store (the breaker goes on locally). */
  get onStoreError(): Subscribe<CircuitStoreErrorEvent> {
    this.#storeErrors ??= new EventEmitter();
    return this.#storeErrors.subscribe;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Changes with every state transition. */
  get generation(): number {
    return this.#generation;
  }

  /** Whether outcomes need a duration (slow-call detection is on). */
  get measuresDuration(): boolean {
    return this.#slowCall !== undefined;
  }

  /** While open: the time before which no call and no health probe may go, if one was named. */
  get openUntil(): number | undefined {
    return this.#state === 'OPEN' ? this.#openUntil : undefined;
  }

  /**
   * When a refused caller may try again: now while closed or while a trial is wanted; the end
   * of the open period; while half-open with every trial running, when they must have ended.
   * A circuit held open by hand has no end: one recovery timeout from now (ask again then).
   */
  get nextAttemptAt(): number {
    const now = this.#clock.now();
    if (this.#state === 'CLOSED') return now;
    if (this.#held) return now + this.#recoveryTimeoutMs;
    if (this.#state === 'HALF_OPEN') {
      if (!this.#mayTry()) return this.#permits!.retryAt();
      const slots = this.#probeSlots();
      return slots.free > 0 ? now : (slots.deadline ?? now + this.#recoveryTimeoutMs);
    }
    const halfOpensAt = this.#halfOpensAt();
    if (halfOpensAt <= now && !this.#mayTry()) return this.#permits!.retryAt();
    return Math.max(now, halfOpensAt);
  }

  /**
   * How many calls the circuit would let through now: all (Infinity) while closed; the
   * trials it wants while it may probe (half-open, or open past its recovery time); 0 while it
   * refuses.
   */
  get trialsWanted(): number {
    if (this.#state === 'CLOSED') return Infinity;
    if (this.#held) return 0;
    if (this.#state === 'OPEN') {
      if (this.#clock.now() < this.#halfOpensAt()) return 0;
      return this.#mayTry() ? this.#halfOpenMaxCalls : 0;
    }
    return this.#mayTry() ? this.#probeSlots().free : 0;
  }

  circuit(): CircuitInfo {
    return {
      state: this.#state,
      since: this.#updatedAt,
      reason: this.#reason,
      error: this.#cause,
      held: this.#held,
      openUntil: this.openUntil,
    };
  }

  /**
   * Admits a call or refuses it. Returns a permit (≥ 0) to hand back with the outcome, or
   * `REJECTED`. Moves OPEN → HALF_OPEN once the open period is over, unless held by hand.
   */
  tryAcquire(): number {
    if (this.#state === 'CLOSED') return this.#generation;
    if (this.#state === 'OPEN') {
      if (this.#held || this.#clock.now() < this.#halfOpensAt()) return REJECTED;
      if (!this.#mayTry()) return REJECTED;
      this.#transition('HALF_OPEN', 'recovery_timeout');
    } else if (!this.#mayTry()) return REJECTED;
    if (!this.#probeSlots().tryTake()) return REJECTED;
    this.#permits?.take();
    return this.#generation;
  }

  /** Reports that the call admitted with `permit` succeeded; `durationMs` is its slowest attempt. */
  recordSuccess(permit: number, durationMs = 0): void {
    if (permit !== this.#generation) return;
    if (this.#state === 'HALF_OPEN') {
      if (this.#probeSlots().succeed()) this.#transition('CLOSED', 'probe_succeeded');
      else this.#releasePermitIfIdle();
      return;
    }
    this.#consecutiveFailures = 0;
    this.#probeUnconfirmed = false;
    if (this.#failureRate || this.#slowCall) this.#recordInWindow(false, durationMs);
  }

  /**
   * Reports that the call admitted with `permit` failed. An error that `isFailure` does not
   * count (by default a `permanent/request` error or a programming error) is only a release;
   * a `permanent/service` error opens the circuit at once (until its `retryAfterMs`, if it
   * names one).
   */
  recordFailure(permit: number, error: unknown, durationMs = 0, context?: CallContext): void {
    if (permit !== this.#generation) return;
    if (!this.#isFailure(error)) return this.release(permit);
    if (isPermanentError(error)) {
      const until =
        error.retryAfterMs === undefined ? undefined : this.#clock.now() + error.retryAfterMs;
      return this.#transition('OPEN', 'permanent_error', { error, context, until });
    }
    if (this.#state === 'HALF_OPEN') {
      return this.#transition('OPEN', 'probe_failed', { error, context });
    }
    if (++this.#consecutiveFailures >= this.#failureThreshold) {
      return this.#transition('OPEN', 'failure_threshold', { error, context });
    }
    if (this.#failureRate || this.#slowCall) this.#recordInWindow(true, durationMs, error, context);
  }

  /**
   * Reports that the service told the call admitted with `permit` to wait `retryAfterMs`,
   * longer than its retries sleep: that speaks for every call, so the circuit opens until then.
   */
  recordRetryAfter(
    permit: number,
    error: unknown,
    retryAfterMs: number,
    context?: CallContext,
  ): void {
    if (permit !== this.#generation) return;
    const until = this.#clock.now() + retryAfterMs;
    this.#transition('OPEN', 'retry_after', { error, context, until });
  }

  /** Returns a permit without counting the call (it was cancelled, or the request was bad). */
  release(permit: number): void {
    if (permit !== this.#generation || this.#state !== 'HALF_OPEN') return;
    this.#probeSlots().giveBack();
    this.#releasePermitIfIdle();
  }

  /** Opens the circuit by hand and holds it: no probe, no health check closes it, only `reset()`. */
  open(): void {
    if (!this.#held) this.#transition('OPEN', 'manual_open', { held: true });
  }

  /** Closes the circuit and forgets its failures. */
  reset(reason: StateChangeReason = 'manual_reset'): void {
    if (this.#state !== 'CLOSED') this.#transition('CLOSED', reason);
    this.#consecutiveFailures = 0;
  }

  /**
   * A health probe that started at generation `probeGeneration` passed. Closes the circuit
   * unless it moved since the probe started, is held by hand or until a time, or was opened by
   * a `permanent/service` error that `provesRecoveryFrom` does not vouch for. Returns whether
   * it closed.
   */
  recordHealthyProbe(
    probeGeneration: number,
    provesRecoveryFrom: ProvesRecoveryFrom = () => false,
  ): boolean {
    if (this.#state === 'CLOSED' || probeGeneration !== this.#generation || this.#held)
      return false;
    if (this.#openUntil !== undefined && this.#clock.now() < this.#openUntil) return false;
    const cause = this.#cause;
    if (cause?.errorClass === 'permanent/service' && !provesRecoveryFrom(cause)) return false;
    if (this.#probeBelied) return false;
    this.reset('health_check');
    return true;
  }

  snapshot(): CircuitSnapshot {
    return {
      service: this.service,
      state: this.#state,
      openedAt: this.#openedAt,
      consecutiveFailures: this.#consecutiveFailures,
      updatedAt: this.#updatedAt,
      reason: this.#reason,
      held: this.#held,
      openUntil: this.#openUntil,
      error: this.#cause,
    };
  }

  /** Adopts a stored or shared snapshot if it is newer than the local state. */
  restore(snapshot: CircuitSnapshot): void {
    if (snapshot.version !== undefined) {
      // the store orders its saves: adopt any later one, even from the same millisecond
      if (snapshot.version <= this.#sharedVersion) return;
      this.#sharedVersion = snapshot.version;
    } else if (snapshot.updatedAt <= this.#updatedAt) {
      return;
    }
    if (snapshot.state === this.#state) this.#adopt(snapshot);
    else this.#transition(snapshot.state, 'shared_state', {}, snapshot);
  }

  /**
   * Saves every local transition to `store` and adopts the newer state others save there. A
   * store that fails is reported through `onStoreError`. Resolves to a disposer that detaches it.
   */
  attachStore(store: CircuitStateStore): Promise<Disposer> {
    const permits = store.trialPermits?.(this.service);
    this.#permits = permits;
    const linked = linkStore(this, store, (operation, error) =>
      this.#storeErrors?.emit({
        service: this.service,
        timestamp: this.#clock.now(),
        operation,
        error: describeError(error),
      }),
    );
    return linked.then((unlink) => () => {
      unlink();
      if (this.#permits === permits) this.#permits = undefined;
    });
  }

  /** Whether this process may run half-open trials: always, unless a store shares the permit. */
  #mayTry(): boolean {
    return this.#permits?.held() ?? true;
  }

  /** Gives the shared trial permit back once no trial of this process runs. */
  #releasePermitIfIdle(): void {
    if (this.#probes?.running === 0) this.#permits?.release();
  }

  /** When an open circuit lets a probe through (a held one never does). */
  #halfOpensAt(): number {
    const openedAt = this.#openedAt ?? this.#updatedAt;
    return Math.max(openedAt + this.#recoveryTimeoutMs, this.#openUntil ?? 0);
  }

  #probeSlots(): ProbeSlots {
    this.#probes ??= new ProbeSlots(
      this.#halfOpenMaxCalls,
      this.#halfOpenTimeoutMs,
      this.#clock,
      () => {
        if (this.#state === 'HALF_OPEN') this.#transition('OPEN', 'probe_timeout');
      },
    );
    return this.#probes;
  }

  #recordInWindow(
    failed: boolean,
    durationMs: number,
    error?: unknown,
    context?: CallContext,
  ): void {
    this.#rates ??= new RateTrip(this.#failureRate, this.#slowCall);
    const trip = this.#rates.record(this.#clock.now(), failed, durationMs);
    if (trip) this.#transition('OPEN', trip, { error, context });
  }

  #adopt(snapshot: CircuitSnapshot): void {
    this.#consecutiveFailures = snapshot.consecutiveFailures;
    this.#openedAt = snapshot.openedAt;
    this.#updatedAt = snapshot.updatedAt;
    this.#reason = snapshot.reason ?? 'shared_state';
    this.#held = snapshot.held ?? false;
    this.#openUntil = snapshot.openUntil;
    this.#cause = snapshot.error;
  }

  #transition(
    to: CircuitState,
    reason: StateChangeReason,
    opening: Opening = {},
    shared?: CircuitSnapshot,
  ): void {
    const from = this.#state;
    const now = this.#clock.now();
    const error = opening.error === undefined ? undefined : describeError(opening.error);
    this.#state = to;
    this.#generation++;
    this.#probes?.reset();
    if (from === 'HALF_OPEN') this.#permits?.release();
    if (shared) {
      this.#adopt(shared);
    } else {
      this.#reason = reason;
      this.#updatedAt = now;
      this.#held = opening.held ?? false;
      this.#openUntil = opening.until;
      if (to === 'OPEN') this.#openedAt = now;
      // a probe that timed out says nothing new of what opened the circuit
      if (to === 'OPEN' && reason !== 'probe_timeout') this.#cause = error;
    }
    if (to === 'OPEN' && this.#probeUnconfirmed) this.#probeBelied = true;
    this.#probeUnconfirmed = to === 'CLOSED' && reason === 'health_check';
    if (to === 'CLOSED' && reason !== 'health_check') this.#probeBelied = false;
    if (to === 'CLOSED') {
      this.#openedAt = undefined;
      this.#cause = undefined;
      this.#consecutiveFailures = 0;
      this.#rates?.clear();
    }
    this.#changes?.emit({
      service: this.service,
      timestamp: now,
      from,
      to,
      reason,
      error,
      context: opening.context,
    });
  }
}
