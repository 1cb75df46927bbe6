import type { ErrorInfo } from './errors.ts';

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Caller-supplied facts carried into every event of a call (e.g. the contact id). */
export type CallContext = Readonly<Record<string, unknown>>;

/** Fields every call event has: what a log line needs. */
export interface CallEventBase {
  service: string;
  /** Clock time of the event, ms since the epoch. */
  timestamp: number;
  circuitState: CircuitState;
  context: CallContext;
}

/** A transient failure; the next attempt runs after `delayMs`. */
export interface RetryScheduledEvent extends CallEventBase {
  /** 1 for the first retry. */
  retryCount: number;
  delayMs: number;
  error: ErrorInfo;
}

export interface CallSucceededEvent extends CallEventBase {
  /** Retries it took (0 when the first attempt succeeded). */
  retryCount: number;
  durationMs: number;
}

export interface CallFailedEvent extends CallEventBase {
  retryCount: number;
  durationMs: number;
  error: ErrorInfo;
  /** Why no further retry was made. */
  gaveUp:
    | 'not_retryable'
    | 'probe_failed'
    | 'retries_exhausted'
    | 'retry_budget_exhausted'
    | 'retry_after_too_long'
    | 'circuit_opened'
    | 'aborted';
  /** Set when the service asked to wait longer than the retry policy sleeps. */
  retryAfterMs?: number | undefined;
}

export interface CallRejectedEvent extends CallEventBase {
  reason: 'circuit_open' | 'bulkhead_full';
  /** When the service may be tried again (circuit open). */
  retryAfterMs?: number | undefined;
}

export type StateChangeReason =
  | 'failure_threshold'
  | 'failure_rate'
  | 'slow_call_rate'
  | 'permanent_error'
  | 'retry_after'
  | 'probe_failed'
  | 'probe_timeout'
  | 'recovery_timeout'
  | 'probe_succeeded'
  | 'manual_open'
  | 'manual_reset'
  | 'health_check'
  | 'shared_state';

export interface StateChangedEvent {
  service: string;
  timestamp: number;
  from: CircuitState;
  to: CircuitState;
  reason: StateChangeReason;
  /** The error behind the change, when one caused it. */
  error?: ErrorInfo | undefined;
  /** The context of the call behind the change, when one caused it. */
  context?: CallContext | undefined;
}

/** What is known of a circuit now. */
export interface CircuitInfo {
  state: CircuitState;
  /** When it entered this state (ms since the epoch; 0 before its first transition). */
  since: number;
  /** Why it is in this state; undefined before its first transition. */
  reason: StateChangeReason | undefined;
  /** The error that opened it, if one did (kept while it half-opens). */
  error?: ErrorInfo | undefined;
  /** Opened by hand: only a manual reset closes it. */
  held: boolean;
  /** While open: no call and no health probe before this time (the service named it). */
  openUntil?: number | undefined;
}

/** A circuit state store failed; the breaker went on with its local state. */
export interface CircuitStoreErrorEvent {
  service: string;
  timestamp: number;
  operation: 'load' | 'save';
  error: ErrorInfo;
}

export interface HealthProbeEvent {
  service: string;
  timestamp: number;
  healthy: boolean;
  durationMs: number;
  consecutiveFailures: number;
  error?: ErrorInfo | undefined;
  circuitState?: CircuitState | undefined;
}
