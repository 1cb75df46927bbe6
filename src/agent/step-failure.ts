import {
  describeError,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isPermanentError,
  isServiceError,
  type ServicePolicy,
} from '../resilience/index.ts';

/** What becomes of a contact whose step could not be done. */
export type StepVerdict =
  | { kind: 'fail'; reason: string }
  | { kind: 'defer'; notBefore: number; reason: string; countsAsFailure: boolean };

export interface VerdictOptions {
  /** Now, on the campaign's clock. */
  now: number;
  /** How long a contact waits after a transient failure when nothing says otherwise. */
  retryDelayMs: number;
  /** The contact is being stopped (shutdown): put it back, due at once, uncounted. */
  aborted: boolean;
}

/**
 * Turns the error of a step into the contact's fate, per ARCHITECTURE.md: a bad request fails
 * the contact; an open circuit or a broken service defers it, uncounted, until the breaker's
 * next probe; a transient failure defers it, and counts against its attempts only while the
 * service still works for others (its circuit closed).
 */
export function verdictFor(
  error: unknown,
  policy: ServicePolicy,
  options: VerdictOptions,
): StepVerdict {
  const { now } = options;
  const service = policy.service;
  const message = describeError(error).message;
  if (options.aborted) {
    return {
      kind: 'defer',
      notBefore: now,
      reason: 'stopped before the contact finished',
      countsAsFailure: false,
    };
  }
  if (isPermanentError(error) && error.scope === 'request') {
    return { kind: 'fail', reason: `${service}: ${message}` };
  }
  const closed = policy.state === 'CLOSED';
  const probeAt = closed ? now : policy.nextAttemptAt();
  if (isCircuitOpenError(error)) {
    return {
      kind: 'defer',
      notBefore: Math.max(probeAt, now + (error.retryAfterMs ?? 0)),
      reason: `${service} circuit OPEN`,
      countsAsFailure: false,
    };
  }
  if (isBulkheadRejectedError(error)) {
    return {
      kind: 'defer',
      notBefore: now + 1_000,
      reason: `${service}: too busy`,
      countsAsFailure: false,
    };
  }
  if (isPermanentError(error)) {
    return {
      kind: 'defer',
      notBefore: probeAt,
      reason: `${service}: ${message}`,
      countsAsFailure: false,
    };
  }
  const hint = isServiceError(error) ? (error.retryAfterMs ?? 0) : 0;
  return {
    kind: 'defer',
    notBefore: Math.max(probeAt, now + hint, now + options.retryDelayMs),
    reason: `${service}: ${message}`,
    // While the circuit is open the service is down for everyone: not this contact's fault.
    countsAsFailure: closed,
  };
}
