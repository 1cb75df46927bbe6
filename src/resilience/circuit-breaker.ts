import { systemClock, type Clock } from './clock.ts';
import { describeError, isPermanentError } from './errors.ts';
import { EventEmitter, type Disposer, type Subscribe } from './events.ts';
import type {
  CallContext,
  CircuitState,
  StateChangeReason,
  StateChangedEvent,
} from './policy-events.ts';
import { SlidingWindow } from './breaker/sliding-window.ts';
import type { CircuitSnapshot, CircuitStateStore } from './breaker/state-store.ts';

/** Trip on the share of failed calls in a time window. */
export interface FailureRateOptions {
  /** 0..1: open when failures / calls reaches it. */
  threshold: number;
  windowMs: number;
  /** No decision before this many calls in the window. */
  minimumCalls: number;
}

/** Trip on the share of slow calls (e.g. an LLM that answers, but too late). */
export interface SlowCallOptions {
  /** A call that took at least this long is slow. */
  durationMs: number;
  /** 0..1: open when slow / calls reaches it. */
  rateThreshold: number;
  windowMs: number;
  minimumCalls: number;
}

export interface CircuitBreakerOptions {
  service: string;
  /** Consecutive failed calls that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before probe calls are let through. */
  recoveryTimeoutMs: number;
  /** Probe calls let through at once in half-open; that many successes close it. */
  halfOpenMaxCalls?: number;
  failureRate?: FailureRateOptions | undefined;
  slowCall?: SlowCallOptions | undefined;
  clock?: Clock;
}

const defaults = { halfOpenMaxCalls: 1 };

/** Returned by `tryAcquire` when the call is refused. */
export const REJECTED = -1;

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
  readonly #failureThreshold: number;
  readonly #recoveryTimeoutMs: number;
  readonly #halfOpenMaxCalls: number;
  readonly #failureRate: FailureRateOptions | undefined;
  readonly #slowCall: SlowCallOptions | undefined;
  readonly #clock: Clock;
  #window: SlidingWindow | undefined;
  #state: CircuitState = 'CLOSED';
  #generation = 0;
  #openedAt: number | undefined;
  #updatedAt = 0;
  #sharedVersion = 0;
  #consecutiveFailures = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;
  #changes: EventEmitter<StateChangedEvent> | undefined;

  constructor(options: CircuitBreakerOptions) {
    const resolved = { ...defaults, ...options };
    this.service = resolved.service;
    this.#failureThreshold = resolved.failureThreshold;
    this.#recoveryTimeoutMs = resolved.recoveryTimeoutMs;
    this.#halfOpenMaxCalls = resolved.halfOpenMaxCalls;
    this.#failureRate = resolved.failureRate;
    this.#slowCall = resolved.slowCall;
    this.#clock = resolved.clock ?? systemClock;
  }

  /** Subscribes to state changes. */
  get onStateChange(): Subscribe<StateChangedEvent> {
    this.#changes ??= new EventEmitter();
    return this.#changes.subscribe;
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

  /** When a refused caller may try again: the end of the open period, or now. */
  get nextAttemptAt(): number {
    const now = this.#clock.now();
    if (this.#state === 'OPEN' && this.#openedAt !== undefined) {
      return Math.max(now, this.#openedAt + this.#recoveryTimeoutMs);
    }
    return this.#state === 'HALF_OPEN' ? now + this.#recoveryTimeoutMs : now;
  }

  /**
   * Admits a call or refuses it. Returns a permit (≥ 0) to hand back with the outcome, or
   * `REJECTED`. Moves OPEN → HALF_OPEN once the recovery timeout has passed.
   */
  tryAcquire(): number {
    if (this.#state === 'CLOSED') return this.#generation;
    if (this.#state === 'OPEN') {
      const now = this.#clock.now();
      if (this.#openedAt === undefined || now < this.#openedAt + this.#recoveryTimeoutMs) {
        return REJECTED;
      }
      this.#transition('HALF_OPEN', 'recovery_timeout');
    }
    if (this.#probesInFlight >= this.#halfOpenMaxCalls) return REJECTED;
    this.#probesInFlight++;
    return this.#generation;
  }

  /** Reports that the call admitted with `permit` succeeded. */
  recordSuccess(permit: number, durationMs = 0): void {
    if (permit !== this.#generation) return;
    if (this.#state === 'HALF_OPEN') {
      this.#probesInFlight--;
      if (++this.#probeSuccesses >= this.#halfOpenMaxCalls)
        this.#transition('CLOSED', 'probe_succeeded');
      return;
    }
    this.#consecutiveFailures = 0;
    if (this.#failureRate || this.#slowCall) {
      const slow = this.#slowCall !== undefined && durationMs >= this.#slowCall.durationMs;
      this.#recordInWindow(false, slow);
    }
  }

  /**
   * Reports that the call admitted with `permit` failed. A `permanent/request` error does
   * not count; a `permanent/service` error opens the circuit at once.
   */
  recordFailure(permit: number, error: unknown, durationMs = 0, context?: CallContext): void {
    if (isPermanentError(error)) {
      if (error.scope === 'request') return this.release(permit);
      if (this.#state !== 'OPEN') this.#transition('OPEN', 'permanent_error', error, context);
      return;
    }
    if (permit !== this.#generation) return;
    if (this.#state === 'HALF_OPEN') {
      this.#transition('OPEN', 'probe_failed', error, context);
      return;
    }
    this.#consecutiveFailures++;
    if (this.#consecutiveFailures >= this.#failureThreshold) {
      this.#transition('OPEN', 'failure_threshold', error, context);
      return;
    }
    if (this.#failureRate || this.#slowCall) {
      const slow = this.#slowCall !== undefined && durationMs >= this.#slowCall.durationMs;
      this.#recordInWindow(true, slow, error, context);
    }
  }

  /** Returns a permit without counting the call (it was cancelled, or the request was bad). */
  release(permit: number): void {
    if (permit === this.#generation && this.#state === 'HALF_OPEN') this.#probesInFlight--;
  }

  /** Opens the circuit by hand. */
  open(): void {
    if (this.#state !== 'OPEN') this.#transition('OPEN', 'manual_open');
  }

  /** Closes the circuit and forgets its failures. */
  reset(reason: StateChangeReason = 'manual_reset'): void {
    if (this.#state !== 'CLOSED') this.#transition('CLOSED', reason);
    this.#consecutiveFailures = 0;
  }

  snapshot(): CircuitSnapshot {
    return {
      service: this.service,
      state: this.#state,
      openedAt: this.#openedAt,
      consecutiveFailures: this.#consecutiveFailures,
      updatedAt: this.#updatedAt,
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
    this.#consecutiveFailures = snapshot.consecutiveFailures;
    if (snapshot.state === this.#state) {
      this.#openedAt = snapshot.openedAt;
      this.#updatedAt = snapshot.updatedAt;
      return;
    }
    this.#transition(snapshot.state, 'shared_state', undefined, undefined, snapshot);
  }

  /**
   * Saves every local transition to `store` and adopts the newer state others save there.
   * Returns a disposer that detaches the store.
   */
  async attachStore(store: CircuitStateStore): Promise<Disposer> {
    const stored = await store.load(this.service);
    if (stored) this.restore(stored);
    const offChange = this.onStateChange((event) => {
      if (event.reason !== 'shared_state') void store.save(this.snapshot());
    });
    const offShared = store.subscribe?.(this.service, (snapshot) => this.restore(snapshot));
    return () => {
      offChange();
      offShared?.();
    };
  }

  #recordInWindow(failed: boolean, slow: boolean, error?: unknown, context?: CallContext): void {
    const now = this.#clock.now();
    const windowMs = Math.max(this.#failureRate?.windowMs ?? 0, this.#slowCall?.windowMs ?? 0);
    this.#window ??= new SlidingWindow(windowMs);
    this.#window.record(now, failed, slow);
    const totals = this.#window.totals(now);
    const rate = this.#failureRate;
    if (
      rate &&
      totals.calls >= rate.minimumCalls &&
      totals.failures / totals.calls >= rate.threshold
    ) {
      this.#transition('OPEN', 'failure_rate', error, context);
      return;
    }
    const slowCall = this.#slowCall;
    if (
      slowCall &&
      totals.calls >= slowCall.minimumCalls &&
      totals.slow / totals.calls >= slowCall.rateThreshold
    ) {
      this.#transition('OPEN', 'slow_call_rate', error, context);
    }
  }

  #transition(
    to: CircuitState,
    reason: StateChangeReason,
    error?: unknown,
    context?: CallContext,
    shared?: CircuitSnapshot,
  ): void {
    const from = this.#state;
    const now = shared?.updatedAt ?? this.#clock.now();
    this.#state = to;
    this.#generation++;
    this.#updatedAt = now;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    if (to === 'OPEN') this.#openedAt = shared?.openedAt ?? now;
    if (to === 'CLOSED') {
      this.#openedAt = undefined;
      this.#consecutiveFailures = 0;
      this.#window?.clear();
    }
    this.#changes?.emit({
      service: this.service,
      timestamp: this.#clock.now(),
      from,
      to,
      reason,
      error: error === undefined ? undefined : describeError(error),
      context,
    });
  }
}
