/**
 * The error taxonomy. Every class carries a stable `code`, the `service` it came from, an
 * optional `retryAfterMs` hint and the original `cause`. Type guards read a brand, not the
 * prototype chain, so they work across two copies of this package.
 */

const BRAND = Symbol.for('ai-call-agent-resilience.error');

/** Stable codes, one per class. */
export const ErrorCode = {
  Transient: 'E_TRANSIENT',
  Permanent: 'E_PERMANENT',
  CircuitOpen: 'E_CIRCUIT_OPEN',
  Timeout: 'E_TIMEOUT',
  BulkheadRejected: 'E_BULKHEAD_REJECTED',
  PolicyDisposed: 'E_POLICY_DISPOSED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** How the engine treats an outcome (see docs/provider-errors.md). */
export type ErrorClass =
  | 'transient'
  | 'transient/concurrency'
  | 'permanent/service'
  | 'permanent/request'
  | 'circuit_open'
  | 'timeout'
  | 'bulkhead_rejected'
  | 'disposed'
  | 'programming_error'
  | 'unknown';

export interface ServiceErrorOptions {
  service: string;
  retryAfterMs?: number | undefined;
  cause?: unknown;
  /** The provider's own error code (`quota_exceeded`, `21211` …), if any. */
  providerCode?: string | undefined;
  /** The HTTP status, if the error came from an HTTP answer. */
  status?: number | undefined;
}

/** Base of every error the engine raises or understands. */
export abstract class ServiceError extends Error {
  abstract readonly code: ErrorCode;
  readonly service: string;
  readonly retryAfterMs: number | undefined;
  readonly providerCode: string | undefined;
  readonly status: number | undefined;
  declare readonly [BRAND]: true;

  constructor(message: string, options: ServiceErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.service = options.service;
    this.retryAfterMs = options.retryAfterMs;
    this.providerCode = options.providerCode;
    this.status = options.status;
    Object.defineProperty(this, BRAND, { value: true });
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** The class this error belongs to in the taxonomy. */
  abstract get errorClass(): ErrorClass;
}

export interface TransientErrorOptions extends ServiceErrorOptions {
  /** Too many requests in flight: wait for a slot instead of backing off. */
  concurrency?: boolean;
}

/** Worth retrying: the service may answer the same request later. */
export class TransientServiceError extends ServiceError {
  readonly code = ErrorCode.Transient;
  readonly concurrency: boolean;
  constructor(message: string, options: TransientErrorOptions) {
    super(message, options);
    this.concurrency = options.concurrency ?? false;
  }
  get errorClass(): ErrorClass {
    return this.concurrency ? 'transient/concurrency' : 'transient';
  }
}

/**
 * Not worth retrying. `scope: 'service'` means the service cannot serve anyone with this
 * configuration (bad key, quota) and opens the breaker at once; `scope: 'request'` means this
 * request is bad (invalid number) and does not count against the service.
 */
export class PermanentServiceError extends ServiceError {
  readonly code = ErrorCode.Permanent;
  readonly scope: 'service' | 'request';
  constructor(message: string, options: ServiceErrorOptions & { scope: 'service' | 'request' }) {
    super(message, options);
    this.scope = options.scope;
  }
  get errorClass(): ErrorClass {
    return this.scope === 'service' ? 'permanent/service' : 'permanent/request';
  }
}

/** Refused at once because the service's circuit is open. */
export class CircuitOpenError extends ServiceError {
  readonly code = ErrorCode.CircuitOpen;
  get errorClass(): ErrorClass {
    return 'circuit_open';
  }
}

/** An attempt or the whole call ran past its deadline. Retried like a transient error. */
export class TimeoutError extends ServiceError {
  readonly code = ErrorCode.Timeout;
  readonly scope: 'attempt' | 'total';
  constructor(message: string, options: ServiceErrorOptions & { scope: 'attempt' | 'total' }) {
    super(message, options);
    this.scope = options.scope;
  }
  get errorClass(): ErrorClass {
    return 'timeout';
  }
}

/** Refused because the service's bulkhead and its wait queue are full. */
export class BulkheadRejectedError extends ServiceError {
  readonly code = ErrorCode.BulkheadRejected;
  get errorClass(): ErrorClass {
    return 'bulkhead_rejected';
  }
}

/** Refused because the policy was disposed (the application is shutting down). */
export class PolicyDisposedError extends ServiceError {
  readonly code = ErrorCode.PolicyDisposed;
  get errorClass(): ErrorClass {
    return 'disposed';
  }
}

function hasCode(error: unknown, code: ErrorCode): boolean {
  return isServiceError(error) && error.code === code;
}

/** True for any error of this taxonomy, from any copy of the package. */
export function isServiceError(error: unknown): error is ServiceError {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as Record<symbol, unknown>)[BRAND] === true
  );
}
export function isTransientError(error: unknown): error is TransientServiceError {
  return hasCode(error, ErrorCode.Transient);
}
export function isPermanentError(error: unknown): error is PermanentServiceError {
  return hasCode(error, ErrorCode.Permanent);
}
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return hasCode(error, ErrorCode.CircuitOpen);
}
/** What `AbortSignal.timeout()` aborts with: a `DOMException` named `TimeoutError`. */
export type SignalTimeoutError = DOMException & { readonly name: 'TimeoutError' };

function isSignalTimeout(error: unknown): error is SignalTimeoutError {
  return error instanceof DOMException && error.name === 'TimeoutError';
}

/** An attempt or call that ran past its deadline: ours, or a caller's `AbortSignal.timeout()`. */
export function isTimeoutError(error: unknown): error is TimeoutError | SignalTimeoutError {
  return hasCode(error, ErrorCode.Timeout) || isSignalTimeout(error);
}
export function isBulkheadRejectedError(error: unknown): error is BulkheadRejectedError {
  return hasCode(error, ErrorCode.BulkheadRejected);
}
export function isPolicyDisposedError(error: unknown): error is PolicyDisposedError {
  return hasCode(error, ErrorCode.PolicyDisposed);
}

/**
 * A bug in our own code (`TypeError`, `RangeError`, `ReferenceError`, `SyntaxError`), not a
 * service failure. A `TypeError` whose `cause` carries a string `code` is how `fetch` reports
 * a network failure (`fetch failed`, cause `ECONNREFUSED`): that one is not a bug.
 */
export function isProgrammingError(error: unknown): error is Error {
  if (error instanceof TypeError) {
    const cause: unknown = error.cause;
    const code =
      typeof cause === 'object' && cause !== null ? Reflect.get(cause, 'code') : undefined;
    return typeof code !== 'string';
  }
  return (
    error instanceof RangeError || error instanceof ReferenceError || error instanceof SyntaxError
  );
}

/** The taxonomy class of any thrown value; other errors are `programming_error` or `unknown`. */
export function classifyError(error: unknown): ErrorClass {
  if (isServiceError(error)) return error.errorClass;
  if (isSignalTimeout(error)) return 'timeout';
  return isProgrammingError(error) ? 'programming_error' : 'unknown';
}

/**
 * Whether the retry loop may try again after this error (`unknown` counts as transient; a
 * programming error never is).
 */
export function isRetryable(error: unknown): boolean {
  const errorClass = classifyError(error);
  return (
    errorClass === 'transient' ||
    errorClass === 'transient/concurrency' ||
    errorClass === 'timeout' ||
    errorClass === 'unknown'
  );
}

/** What a log line or alert needs to know of an error; never the cause's internals. */
export interface ErrorInfo {
  errorClass: ErrorClass;
  code: string;
  name: string;
  message: string;
  providerCode?: string | undefined;
  status?: number | undefined;
  /** Only for a programming error: where the bug is, for the log to print once. */
  stack?: string | undefined;
}

export function describeError(error: unknown): ErrorInfo {
  if (isServiceError(error)) {
    return {
      errorClass: error.errorClass,
      code: error.code,
      name: error.name,
      message: error.message,
      providerCode: error.providerCode,
      status: error.status,
    };
  }
  if (isSignalTimeout(error)) {
    return {
      errorClass: 'timeout',
      code: ErrorCode.Timeout,
      name: error.name,
      message: error.message,
    };
  }
  if (isProgrammingError(error)) {
    const { name, message, stack } = error;
    return { errorClass: 'programming_error', code: 'E_PROGRAMMING_ERROR', name, message, stack };
  }
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : typeof error;
  return { errorClass: 'unknown', code: 'E_UNKNOWN', name, message };
}
