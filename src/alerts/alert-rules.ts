import type { CallFailedEvent, StateChangedEvent } from '../resilience/index.ts';
import type { AlertInput } from './alert.ts';
import { count } from '../text/count.ts';

const GAVE_UP_ON_RETRIES = new Set<CallFailedEvent['gaveUp']>([
  'retries_exhausted',
  'retry_budget_exhausted',
  'retry_after_too_long',
]);

/**
 * The alert a failed call raises, if any:
 * - `permanent/service` (bad key, quota) → `permanent_failure`, critical, at once;
 * - `permanent/request` (a bad number, a validation error) → none: it is the contact's
 *   problem, not the service's; the contact fails with a reason and the log line says why;
 * - a transient error whose retries ran out → `retries_exhausted`, warning.
 */
export function alertForFailure(event: CallFailedEvent): AlertInput | undefined {
  const { service, error, timestamp } = event;
  if (error.errorClass === 'permanent/service') {
    return {
      kind: 'permanent_failure',
      severity: 'critical',
      service,
      message: `${error.message} (circuit ${event.circuitState})`,
      errorType: error.errorClass,
      timestamp,
    };
  }
  if (error.errorClass === 'permanent/request') return undefined;
  if (GAVE_UP_ON_RETRIES.has(event.gaveUp)) {
    return {
      kind: 'retries_exhausted',
      severity: 'warning',
      service,
      message: `${error.message} after ${count(event.retryCount, 'retry', 'retries')} (${event.gaveUp})`,
      errorType: error.errorClass,
      timestamp,
    };
  }
  return undefined;
}

/**
 * The alert a breaker transition raises, if any: opening → `circuit_opened`, critical
 * (except when a permanent error opened it: its `permanent_failure` alert says so already);
 * closing again → `circuit_closed`, info, the resolution.
 */
export function alertForStateChange(event: StateChangedEvent): AlertInput | undefined {
  const { service, timestamp } = event;
  // an outage starts once: a half-open trial that fails reopens it without a new alert
  if (event.to === 'OPEN' && event.from === 'CLOSED' && event.reason !== 'permanent_error') {
    const cause = event.error ? `: ${event.error.message}` : '';
    return {
      kind: 'circuit_opened',
      severity: 'critical',
      service,
      message: `Circuit OPEN (${event.reason})${cause}. Calls are skipped and deferred.`,
      errorType: event.error?.errorClass,
      timestamp,
    };
  }
  if (event.to === 'CLOSED' && event.from !== 'CLOSED') {
    return {
      kind: 'circuit_closed',
      severity: 'info',
      service,
      message: `Circuit CLOSED again (${event.reason}). Calls resume.`,
      timestamp,
    };
  }
  return undefined;
}
