import { Bulkhead } from './bulkhead.ts';
import { CallScope, runAttempt, type AttemptContext } from './call-scope.ts';
import type { CircuitStateStore } from './breaker/state-store.ts';
import { CircuitBreaker, REJECTED } from './circuit-breaker.ts';
import { systemClock, type Clock } from './clock.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import {
  BulkheadRejectedError,
  CircuitOpenError,
  describeError,
  isProgrammingError,
  PolicyDisposedError,
  TimeoutError,
} from './errors.ts';
import { EventEmitter, type Disposer, type Subscribe } from './events.ts';
import type {
  CallContext,
  CallEventBase,
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  CircuitInfo,
  CircuitState,
  CircuitStoreErrorEvent,
  RetryScheduledEvent,
  StateChangedEvent,
} from './policy-events.ts';
import type {
  AttemptGate,
  ExecuteFallback,
  ExecuteOptions,
  ServicePolicyOptions,
} from './policy-options.ts';
import { RetryPolicy, type GiveUpReason } from './retry.ts';

export type {
  AttemptGate,
  ExecuteFallback,
  ExecuteOptions,
  ServicePolicyOptions,
  TimeoutOptions,
} from './policy-options.ts';

const EMPTY_CONTEXT: CallContext = Object.freeze({});
const KEEP_ALIVE = Object.freeze({ keepAlive: true });

/** How a call ended without a value: what `#fail` reports and records. */
interface CallFailure {
  permit: number;
  error: unknown;
  gaveUp: GiveUpReason;
  retries: number;
  /** When the call started (0 if nobody listens for its duration). */
  started: number;
  /** The slowest attempt, for slow-call detection. */
  slowestMs: number;
  context: CallContext;
  scope: CallScope | undefined;
}

/** A policy's parts, for the engine's own modules and tests: not part of the package's surface. */
export interface PolicyParts {
  breaker: CircuitBreaker;
  bulkhead: Bulkhead;
  retry: RetryPolicy;
  clock: Clock;
}

/** The parts of `policy` (set by the class's static block: only it can read them). */
export let partsOf: (policy: ServicePolicy) => PolicyParts;

/** The fallback's answer to `error`, or `error` again when it is not one to fall back on. */
async function fallBack<F>(
  error: unknown,
  fallback: ExecuteFallback<F>,
  signal: AbortSignal | undefined,
): Promise<F> {
  const wanted = fallback.when
    ? fallback.when(error)
    : !signal?.aborted && !isProgrammingError(error);
  if (!wanted) throw error;
  return fallback.run ? fallback.run(error) : (fallback.value as F);
}

/**
 * Everything that protects calls to one service, composed in this order:
 * bulkhead → circuit breaker → retry → timeout → fn. The breaker counts a call once, after
 * its retries; between attempts the retry loop stops if the breaker has opened meanwhile.
 */
export class ServicePolicy implements Disposable {
  readonly service: string;
  readonly #breaker: CircuitBreaker;
  readonly #bulkhead: Bulkhead;
  readonly #retry: RetryPolicy;
  readonly #clock: Clock;
  readonly #attemptDeadlines: DeadlineQueue | undefined;
  readonly #totalDeadlines: DeadlineQueue | undefined;
  readonly #attemptGate: AttemptGate | undefined;
  // made on first subscription: an idle policy carries no emitters
  #retryScheduled: EventEmitter<RetryScheduledEvent> | undefined;
  #succeeded: EventEmitter<CallSucceededEvent> | undefined;
  #failed: EventEmitter<CallFailedEvent> | undefined;
  #rejected: EventEmitter<CallRejectedEvent> | undefined;
  #disposed = false;

  static {
    partsOf = (policy) => ({
      breaker: policy.#breaker,
      bulkhead: policy.#bulkhead,
      retry: policy.#retry,
      clock: policy.#clock,
    });
  }

  constructor(options: ServicePolicyOptions) {
    this.service = options.service;
    this.#clock = options.clock ?? systemClock;
    const { attemptMs, totalMs } = options.timeout ?? {};
    const breaker = options.circuitBreaker;
    this.#breaker = new CircuitBreaker({
      ...breaker,
      // a half-open trial is one attempt: never cut it short of the attempt's own deadline
      halfOpenTimeoutMs:
        breaker.halfOpenTimeoutMs ??
        Math.max(breaker.recoveryTimeoutMs, attemptMs === undefined ? 0 : attemptMs + 1_000),
      service: options.service,
      clock: this.#clock,
    });
    this.#bulkhead = new Bulkhead({ ...options.bulkhead, service: options.service });
    this.#retry = new RetryPolicy(options.retry);
    this.#attemptDeadlines = attemptMs ? new DeadlineQueue(attemptMs, this.#clock) : undefined;
    this.#totalDeadlines = totalMs ? new DeadlineQueue(totalMs, this.#clock) : undefined;
    this.#attemptGate = options.attemptGate;
  }

  get onRetryScheduled(): Subscribe<RetryScheduledEvent> {
    return (this.#retryScheduled ??= new EventEmitter()).subscribe;
  }
  get onCallSucceeded(): Subscribe<CallSucceededEvent> {
    return (this.#succeeded ??= new EventEmitter()).subscribe;
  }
  get onCallFailed(): Subscribe<CallFailedEvent> {
    return (this.#failed ??= new EventEmitter()).subscribe;
  }
  get onCallRejected(): Subscribe<CallRejectedEvent> {
    return (this.#rejected ??= new EventEmitter()).subscribe;
  }
  get onStateChanged(): Subscribe<StateChangedEvent> {
    return this.#breaker.onStateChanged;
  }
  /** Failures of the breaker's state store (the breaker goes on locally). */
  get onStoreError(): Subscribe<CircuitStoreErrorEvent> {
    return this.#breaker.onStoreError;
  }

  get state(): CircuitState {
    return this.#breaker.state;
  }

  /** When a refused call may be tried again (now while the circuit is closed). */
  nextAttemptAt(): number {
    return this.#breaker.nextAttemptAt;
  }

  /**
   * How many calls the circuit would let through now: Infinity while closed, the trials it
   * wants while it may probe, 0 while it refuses.
   */
  trialsWanted(): number {
    return this.#breaker.trialsWanted;
  }

  /** The retry tokens its budget holds now; undefined when it has no budget. */
  retryBudgetTokens(): number | undefined {
    return this.#retry.budget?.tokens;
  }

  /** The circuit now: state, since when, why, what error opened it, held, open until. */
  circuit(): CircuitInfo {
    return this.#breaker.circuit();
  }

  /**
   * When the circuit refuses calls now (open, or half-open with every trial running): reports the
   * refusal as a call would (a CallRejectedEvent) and returns the CircuitOpenError it would
   * have got, so a caller can skip work that would end there. Otherwise undefined, and
   * nothing happens (no permit is taken).
   */
  refuses(context: CallContext = EMPTY_CONTEXT): CircuitOpenError | undefined {
    return this.#breaker.trialsWanted > 0 ? undefined : this.#circuitOpen(context);
  }

  /**
   * Shares the circuit through `store` (other processes, a fleet): saves each local change and
   * adopts the newer state others save. A store that fails is reported through `onStoreError`;
   * the circuit goes on locally. Resolves to a disposer that detaches it.
   */
  attachStore(store: CircuitStateStore): Promise<Disposer> {
    return this.#breaker.attachStore(store);
  }

  /** Opens the circuit by hand and holds it open until `reset()`. */
  open(): void {
    this.#breaker.open();
  }

  /** Closes the circuit by hand. */
  reset(): void {
    this.#breaker.reset();
  }

  /**
   * Ends the policy: clears its deadline timers, ends the calls in flight that have a
   * deadline, and refuses every later call with `PolicyDisposedError`. A call sleeping before
   * a retry makes no further attempt.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const reason = this.#disposedError();
    this.#totalDeadlines?.close(reason);
    this.#attemptDeadlines?.close(reason);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * Runs `fn` under the policy. `fn` receives an AttemptContext whose `signal` it must pass
   * on to its I/O. Throws `CircuitOpenError` or `BulkheadRejectedError` at once when the call
   * is refused, otherwise the last attempt's error.
   */
  execute<T, F = never>(
    fn: (attempt: AttemptContext) => Promise<T>,
    options: ExecuteOptions<F> = {},
  ): Promise<T | F> {
    const { signal, fallback } = options;
    const context = options.context ?? EMPTY_CONTEXT;
    // one async frame on the common path: #guarded holds the slot and gives it back
    const call = this.#bulkhead.tryEnter()
      ? this.#guarded(fn, signal, context)
      : this.#queued(fn, signal, context);
    return fallback ? call.catch((error: unknown) => fallBack(error, fallback, signal)) : call;
  }

  async #queued<T>(
    fn: (attempt: AttemptContext) => Promise<T>,
    signal: AbortSignal | undefined,
    context: CallContext,
  ): Promise<T> {
    if (!this.#bulkhead.canQueue) throw this.#bulkheadFull(context);
    await this.#bulkhead.enter(signal);
    return this.#guarded(fn, signal, context);
  }

  async #guarded<T>(
    fn: (attempt: AttemptContext) => Promise<T>,
    signal: AbortSignal | undefined,
    context: CallContext,
  ): Promise<T> {
    const breaker = this.#breaker;
    let scope: CallScope | undefined;
    let offProbe: Disposer | undefined;
    try {
      if (this.#disposed) throw this.#disposedError();
      let permit = breaker.tryAcquire();
      if (permit === REJECTED) throw this.#circuitOpen(context);
      let isProbe = breaker.state === 'HALF_OPEN';
      this.#retry.budget?.recordCall();
      const timed = this.#succeeded?.hasListeners || this.#failed?.hasListeners;
      const started = timed ? this.#clock.now() : 0;
      // slow-call detection looks at attempts, never at the sleeps between them
      const measured = breaker.measuresDuration;
      let slowestMs = 0;
      if (signal || this.#totalDeadlines) {
        scope = new CallScope(this.service, signal, this.#totalDeadlines);
      }
      if (isProbe) offProbe = this.#watchProbe((scope ??= new CallScope(this.service)));
      // Whether the call may go on. When the breaker moved since the call was admitted, it asks
      // again: a new permit, perhaps as its probe (and the watcher of an earlier half-open state
      // goes: it would abort a call no longer its probe).
      const stillAdmitted = (): boolean => {
        if (breaker.generation === permit) return true;
        permit = breaker.tryAcquire();
        if (permit === REJECTED) return false;
        isProbe = breaker.state === 'HALF_OPEN';
        offProbe?.();
        offProbe = isProbe ? this.#watchProbe((scope ??= new CallScope(this.service))) : undefined;
        return true;
      };
      let refused: CircuitOpenError | undefined;
      // the breaker may have moved while the call waited at the gate (the fleet's limits)
      const readmit = (): void => {
        if (!stillAdmitted()) throw (refused = this.#circuitOpen(context));
      };
      let retries = 0;
      let previousDelay: number | undefined;
      for (;;) {
        const attemptStarted = measured ? this.#clock.now() : 0;
        try {
          const attempt = (): Promise<T> =>
            runAttempt(this.service, fn, scope, this.#attemptDeadlines, retries, context);
          const value = await (this.#attemptGate
            ? this.#gated(attempt, scope, readmit)
            : attempt());
          if (measured) slowestMs = Math.max(slowestMs, this.#clock.now() - attemptStarted);
          breaker.recordSuccess(permit, slowestMs);
          if (this.#succeeded?.hasListeners) {
            const durationMs = this.#clock.now() - started;
            this.#succeeded.emit({ ...this.#base(context), retryCount: retries, durationMs });
          }
          return value;
        } catch (error) {
          if (measured) slowestMs = Math.max(slowestMs, this.#clock.now() - attemptStarted);
          const stop = (gaveUp: GiveUpReason, ended: unknown = error): never => {
            this.#fail({
              permit,
              error: ended,
              gaveUp,
              retries,
              started,
              slowestMs,
              context,
              scope,
            });
            throw ended;
          };
          if (error === refused) stop('circuit_opened');
          if (scope?.cancelledByCaller || this.#disposed) stop('aborted');
          if (isProbe) stop('probe_failed');
          const decision = this.#retry.decide(error, retries, previousDelay);
          if (!decision.retry) stop(decision.gaveUp);
          else {
            if (breaker.generation !== permit && breaker.state !== 'CLOSED') stop('circuit_opened');
            retries++;
            previousDelay = decision.delayMs;
            this.#retryScheduled?.emit({
              ...this.#base(context),
              retryCount: retries,
              delayMs: decision.delayMs,
              error: describeError(error),
            });
            // the call is in flight while it waits: the wait keeps the process alive
            const ended = await this.#clock.sleep(decision.delayMs, scope?.signal, KEEP_ALIVE).then(
              () => (this.#disposed ? this.#disposedError() : undefined),
              (abortReason: unknown) => abortReason,
            );
            if (ended !== undefined) {
              const aborted = scope?.cancelledByCaller || this.#disposed;
              stop(aborted ? 'aborted' : 'not_retryable', ended);
            }
            // the breaker moved on while we slept: this attempt may now be its probe
            if (!stillAdmitted()) stop('circuit_opened');
          }
        }
      }
    } finally {
      offProbe?.();
      scope?.dispose();
      this.#bulkhead.release();
    }
  }

  /**
   * Runs one attempt once the gate admits it and `readmit` (the breaker, asked again) does not
   * throw; the wait ends with the caller or the total deadline.
   */
  async #gated<T>(
    attempt: () => Promise<T>,
    scope: CallScope | undefined,
    readmit: () => void,
  ): Promise<T> {
    const leave = await this.#attemptGate!.enter(scope?.signal);
    try {
      readmit();
      return await attempt();
    } finally {
      leave();
    }
  }

  /** Aborts a half-open probe when the breaker gives up waiting for it (`probe_timeout`). */
  #watchProbe(scope: CallScope): Disposer {
    return this.#breaker.onStateChanged((event) => {
      if (event.reason !== 'probe_timeout') return;
      const message = `${this.service}: half-open probe got no answer in time`;
      scope.abort(new TimeoutError(message, { service: this.service, scope: 'attempt' }));
    });
  }

  /** Records the failed call with the breaker and reports it. */
  #fail(failure: CallFailure): void {
    const { permit, error, gaveUp, context } = failure;
    // a Retry-After longer than the retries sleep speaks for the whole service
    const quietMs = this.#retry.longRetryAfter(error);
    if (gaveUp === 'aborted' || failure.scope?.cancelledByCaller) this.#breaker.release(permit);
    else if (gaveUp === 'circuit_opened') {
      // another call moved the breaker: this one has nothing to add
    } else if (quietMs !== undefined) {
      this.#breaker.recordRetryAfter(permit, error, quietMs, context);
    } else {
      this.#breaker.recordFailure(permit, error, failure.slowestMs, context);
    }
    if (this.#failed?.hasListeners) {
      this.#failed.emit({
        ...this.#base(context),
        retryCount: failure.retries,
        durationMs: failure.started ? this.#clock.now() - failure.started : 0,
        error: describeError(error),
        gaveUp,
        retryAfterMs: quietMs,
      });
    }
  }

  #disposedError(): PolicyDisposedError {
    return new PolicyDisposedError(`${this.service}: the service policy was disposed`, {
      service: this.service,
    });
  }

  #circuitOpen(context: CallContext): CircuitOpenError {
    const retryAfterMs = this.#breaker.nextAttemptAt - this.#clock.now();
    this.#rejected?.emit({ ...this.#base(context), reason: 'circuit_open', retryAfterMs });
    return new CircuitOpenError(`${this.service}: circuit OPEN, call refused`, {
      service: this.service,
      retryAfterMs,
    });
  }

  #bulkheadFull(context: CallContext): BulkheadRejectedError {
    this.#rejected?.emit({ ...this.#base(context), reason: 'bulkhead_full' });
    return new BulkheadRejectedError(`${this.service}: too many calls in flight`, {
      service: this.service,
    });
  }

  #base(context: CallContext): CallEventBase {
    return {
      service: this.service,
      timestamp: this.#clock.now(),
      circuitState: this.#breaker.state,
      context,
    };
  }
}

export type { AttemptContext };
