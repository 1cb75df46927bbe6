import type { DeadlineEntry, DeadlineQueue } from './deadline-queue.ts';
import { TimeoutError } from './errors.ts';
import type { CallContext } from './policy-events.ts';

/** What the protected function receives for each attempt. */
export interface AttemptContext {
  /** Aborts when the caller aborts, the attempt times out or the call's total time runs out. */
  readonly signal: AbortSignal;
  /** 0 for the first attempt, 1 for the first retry … */
  readonly attempt: number;
  /** The caller's context (e.g. the contact id). */
  readonly context: CallContext;
}

/**
 * One call (all its attempts): joins the caller's signal and the total deadline. Its own
 * AbortSignal is made only if someone asks for it.
 */
export class CallScope implements DeadlineEntry {
  deadline = 0;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued = false;
  reason: unknown = undefined;
  aborted = false;
  current: AttemptScope | undefined;
  readonly #service: string;
  readonly #callerSignal: AbortSignal | undefined;
  readonly #deadlines: DeadlineQueue | undefined;
  #controller: AbortController | undefined;
  #onCallerAbort: (() => void) | undefined;

  constructor(service: string, callerSignal?: AbortSignal, deadlines?: DeadlineQueue) {
    this.#service = service;
    this.#callerSignal = callerSignal;
    this.#deadlines = deadlines;
    if (callerSignal?.aborted) {
      this.abort(callerSignal.reason);
      return;
    }
    if (callerSignal) {
      // made here, only when needed: an arrow in a field initializer costs every call more
      // (an allocation, and a defineProperty under tsx's keepNames)
      this.#onCallerAbort = () => this.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', this.#onCallerAbort);
    }
    deadlines?.add(this);
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    if (this.aborted && !this.#controller.signal.aborted) this.#controller.abort(this.reason);
    return this.#controller.signal;
  }

  /** True when the call was cancelled by its caller rather than by a deadline. */
  get cancelledByCaller(): boolean {
    return this.aborted && this.#callerSignal?.aborted === true;
  }

  expire(): void {
    const ms = this.#deadlines?.timeoutMs ?? 0;
    this.abort(
      new TimeoutError(`${this.#service}: no answer within ${ms} ms in total`, {
        service: this.#service,
        scope: 'total',
      }),
    );
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.#controller?.abort(reason);
    this.current?.abort(reason);
  }

  /** Removes the listener and the deadline; call once the call has settled. */
  dispose(): void {
    if (this.#onCallerAbort) this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
    this.#deadlines?.remove(this);
  }
}

/** One attempt: settles at the callee's answer or at the first abort, whichever comes first. */
export class AttemptScope implements DeadlineEntry, AttemptContext {
  deadline = 0;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued = false;
  readonly attempt: number;
  readonly context: CallContext;
  settled = false;
  readonly #service: string;
  readonly #call: CallScope | undefined;
  readonly #deadlines: DeadlineQueue | undefined;
  readonly #reject: (reason: unknown) => void;
  #controller: AbortController | undefined;
  #reason: unknown;

  constructor(
    service: string,
    call: CallScope | undefined,
    deadlines: DeadlineQueue | undefined,
    attempt: number,
    context: CallContext,
    reject: (reason: unknown) => void,
  ) {
    this.#service = service;
    this.#call = call;
    this.#deadlines = deadlines;
    this.attempt = attempt;
    this.context = context;
    this.#reject = reject;
    if (call) call.current = this;
    deadlines?.add(this);
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#reason !== undefined) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  expire(): void {
    const ms = this.#deadlines?.timeoutMs ?? 0;
    this.abort(
      new TimeoutError(`${this.#service}: attempt took longer than ${ms} ms`, {
        service: this.#service,
        scope: 'attempt',
      }),
    );
  }

  abort(reason: unknown): void {
    if (this.settled) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#finish();
    this.#reject(reason);
  }

  /** Marks the callee's answer; false if the attempt was already aborted. */
  settle(): boolean {
    if (this.settled) return false;
    this.#finish();
    return true;
  }

  #finish(): void {
    this.settled = true;
    this.#deadlines?.remove(this);
    if (this.#call?.current === this) this.#call.current = undefined;
  }
}

/**
 * Runs one attempt of `fn` under the attempt deadline and the call's scope. The returned
 * promise settles at the callee's answer or at the first abort; a callee that ignores its
 * signal cannot hold the caller past a deadline.
 */
export function runAttempt<T>(
  service: string,
  fn: (attempt: AttemptContext) => Promise<T>,
  call: CallScope | undefined,
  deadlines: DeadlineQueue | undefined,
  attempt: number,
  context: CallContext,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const scope = new AttemptScope(service, call, deadlines, attempt, context, reject);
    if (call?.aborted) return scope.abort(call.reason);
    let result: Promise<T>;
    try {
      result = fn(scope);
    } catch (error) {
      if (scope.settle()) reject(error);
      return;
    }
    result.then(
      (value) => {
        if (scope.settle()) resolve(value);
      },
      (error: unknown) => {
        if (scope.settle()) reject(error);
      },
    );
  });
}
