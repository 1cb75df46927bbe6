import { Bulkhead, type BulkheadOptions } from './bulkhead.ts';
import { CallScope, runAttempt, type AttemptContext } from './call-scope.ts';
import { CircuitBreaker, REJECTED, type CircuitBreakerOptions } from './circuit-breaker.ts';
import { systemClock, type Clock } from './clock.ts';
import { DeadlineQueue } from './deadline-queue.ts';
import { BulkheadRejectedError, CircuitOpenError, describeError } from './errors.ts';
import { EventEmitter, type Subscribe } from './events.ts';
import type {
  CallContext,
  CallEventBase,
  CallFailedEvent,
  CallRejectedEvent,
  CallSucceededEvent,
  RetryScheduledEvent,
  StateChangedEvent,
} from './policy-events.ts';
import { RetryPolicy, type GiveUpReason, type RetryOptions } from './retry.ts';

export interface TimeoutOptions {
  /** Deadline of each attempt. */
  attemptMs?: number | undefined;
  /** Deadline of the whole call, retries and their delays included. */
  totalMs?: number | undefined;
}

export interface ServicePolicyOptions {
  /** The service's name, as events and errors will carry it. */
  service: string;
  retry: RetryOptions;
  circuitBreaker: Omit<CircuitBreakerOptions, 'service' | 'clock'>;
  timeout?: TimeoutOptions;
  bulkhead?: Omit<BulkheadOptions, 'service'>;
  clock?: Clock;
}

export interface ExecuteOptions {
  /** Cancels the call: waiting, attempts and retry delays. */
  signal?: AbortSignal | undefined;
  /** Carried into every event of this call (e.g. `{ contactId }`). */
  context?: CallContext | undefined;
}

const EMPTY_CONTEXT: CallContext = Object.freeze({});

/**
 * Everything that protects calls to one service, composed in this order:
 * bulkhead → circuit breaker → retry → timeout → fn. The breaker counts a call once, after
 * its retries; between attempts the retry loop stops if the breaker has opened meanwhile.
 */
export class ServicePolicy {
  readonly service: string;
  readonly breaker: CircuitBreaker;
  readonly bulkhead: Bulkhead;
  readonly retry: RetryPolicy;
  readonly clock: Clock;
  readonly #attemptDeadlines: DeadlineQueue | undefined;
  readonly #totalDeadlines: DeadlineQueue | undefined;
  // made on first subscription: an idle policy carries no emitters
  #retryScheduled: EventEmitter<RetryScheduledEvent> | undefined;
  #succeeded: EventEmitter<CallSucceededEvent> | undefined;
  #failed: EventEmitter<CallFailedEvent> | undefined;
  #rejected: EventEmitter<CallRejectedEvent> | undefined;

  constructor(options: ServicePolicyOptions) {
    this.service = options.service;
    this.clock = options.clock ?? systemClock;
    this.breaker = new CircuitBreaker({
      ...options.circuitBreaker,
      service: options.service,
      clock: this.clock,
    });
    this.bulkhead = new Bulkhead({ ...options.bulkhead, service: options.service });
    this.retry = new RetryPolicy(options.retry);
    const { attemptMs, totalMs } = options.timeout ?? {};
    this.#attemptDeadlines = attemptMs ? new DeadlineQueue(attemptMs, this.clock) : undefined;
    this.#totalDeadlines = totalMs ? new DeadlineQueue(totalMs, this.clock) : undefined;
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
    return this.breaker.onStateChange;
  }

  /**
   * Runs `fn` under the policy. `fn` receives an AttemptContext whose `signal` it must pass
   * on to its I/O. Throws `CircuitOpenError` or `BulkheadRejectedError` at once when the call
   * is refused, otherwise the last attempt's error.
   */
  execute<T>(
    fn: (attempt: AttemptContext) => Promise<T>,
    options: ExecuteOptions = {},
  ): Promise<T> {
    const { signal } = options;
    const context = options.context ?? EMPTY_CONTEXT;
    // one async frame on the common path: #guarded holds the slot and gives it back
    if (this.bulkhead.tryEnter()) return this.#guarded(fn, signal, context);
    return this.#queued(fn, signal, context);
  }

  async #queued<T>(
    fn: (attempt: AttemptContext) => Promise<T>,
    signal: AbortSignal | undefined,
    context: CallContext,
  ): Promise<T> {
    if (!this.bulkhead.canQueue) throw this.#reject('bulkhead_full', context);
    await this.bulkhead.enter(signal);
    return this.#guarded(fn, signal, context);
  }

  async #guarded<T>(
    fn: (attempt: AttemptContext) => Promise<T>,
    signal: AbortSignal | undefined,
    context: CallContext,
  ): Promise<T> {
    const breaker = this.breaker;
    let scope: CallScope | undefined;
    try {
      let permit = breaker.tryAcquire();
      if (permit === REJECTED) throw this.#reject('circuit_open', context);
      let isProbe = breaker.state === 'HALF_OPEN';
      this.retry.budget?.recordCall();
      const timed =
        breaker.measuresDuration || this.#succeeded?.hasListeners || this.#failed?.hasListeners;
      const started = timed ? this.clock.now() : 0;
      if (signal || this.#totalDeadlines) {
        scope = new CallScope(this.service, signal, this.#totalDeadlines);
      }
      let retries = 0;
      let previousDelay: number | undefined;
      for (;;) {
        try {
          const value = await runAttempt(
            this.service,
            fn,
            scope,
            this.#attemptDeadlines,
            retries,
            context,
          );
          const durationMs = timed ? this.clock.now() - started : 0;
          breaker.recordSuccess(permit, durationMs);
          if (this.#succeeded?.hasListeners) {
            this.#succeeded.emit({ ...this.#base(context), retryCount: retries, durationMs });
          }
          return value;
        } catch (error) {
          const stop = (gaveUp: GiveUpReason, retryAfterMs?: number): never => {
            this.#fail(permit, error, gaveUp, retries, started, context, scope, retryAfterMs);
            throw error;
          };
          if (scope?.cancelledByCaller) stop('aborted');
          if (isProbe) stop('probe_failed');
          const decision = this.retry.decide(error, retries, previousDelay);
          if (!decision.retry) stop(decision.gaveUp, decision.retryAfterMs);
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
            try {
              await this.clock.sleep(decision.delayMs, scope?.signal);
            } catch (abortReason) {
              const gaveUp = scope?.cancelledByCaller ? 'aborted' : 'not_retryable';
              this.#fail(permit, abortReason, gaveUp, retries, started, context, scope);
              throw abortReason;
            }
            if (breaker.generation !== permit) {
              permit = breaker.tryAcquire();
              if (permit === REJECTED) stop('circuit_opened');
              // the breaker moved on while we slept: this attempt may now be its probe
              isProbe = breaker.state === 'HALF_OPEN';
            }
          }
        }
      }
    } finally {
      scope?.dispose();
      this.bulkhead.release();
    }
  }

  #fail(
    permit: number,
    error: unknown,
    gaveUp: GiveUpReason,
    retries: number,
    started: number,
    context: CallContext,
    scope: CallScope | undefined,
    retryAfterMs?: number,
  ): void {
    const durationMs = started ? this.clock.now() - started : 0;
    if (gaveUp === 'aborted' || scope?.cancelledByCaller) this.breaker.release(permit);
    else if (gaveUp !== 'circuit_opened')
      this.breaker.recordFailure(permit, error, durationMs, context);
    if (this.#failed?.hasListeners) {
      this.#failed.emit({
        ...this.#base(context),
        retryCount: retries,
        durationMs,
        error: describeError(error),
        gaveUp,
        retryAfterMs,
      });
    }
  }

  #reject(reason: CallRejectedEvent['reason'], context: CallContext): Error {
    const open = reason === 'circuit_open';
    const retryAfterMs = open ? this.breaker.nextAttemptAt - this.clock.now() : undefined;
    this.#rejected?.emit({ ...this.#base(context), reason, retryAfterMs });
    return open
      ? new CircuitOpenError(`${this.service}: circuit OPEN, call refused`, {
          service: this.service,
          retryAfterMs,
        })
      : new BulkheadRejectedError(`${this.service}: too many calls in flight`, {
          service: this.service,
        });
  }

  #base(context: CallContext): CallEventBase {
    return {
      service: this.service,
      timestamp: this.clock.now(),
      circuitState: this.breaker.state,
      context,
    };
  }
}

export type { AttemptContext };
