import {
  describeError,
  isBulkheadRejectedError,
  isCircuitOpenError,
  isPermanentError,
  isServiceError,
  isTransientError,
  type ServicePolicy,
} from '../resilience/index.ts';

/** A step could not be done; carries what becomes of the contact. */
export class StepFailure {
  constructor(
    readonly service: string,
    readonly verdict: StepVerdict,
  ) {}
}

/** What becomes of a contact whose step could not be done. */
export type StepVerdict =
  | { kind: 'fail'; reason: string }
  | {
      kind: 'defer';
      /** Not before this time (for one waiting to be released: a floor). */
      notBefore: number;
      reason: string;
      countsAsFailure: boolean;
      /** It waits until its service is released (its circuit let calls through again). */
      untilReleased: boolean;
    };

export interface VerdictOptions {
  /** Now, on the campaign's clock. */
  now: number;
  /** How long a contact waits after a transient failure when nothing says otherwise. */
  retryDelayMs: number;
  /** The contact is being stopped (shutdown): put it back, due at once, uncounted. */
  aborted: boolean;
}

/** Whether the service refuses calls now: its circuit is open (or half-open, probe taken). */
export function isBlocked(policy: ServicePolicy, now: number): boolean {
  return policy.state !== 'CLOSED' && policy.nextAttemptAt() > now;
}

/**
 * Turns the error of a step into the contact's fate, per docs/architecture.md: a bad request fails
 * the contact; an open circuit or a broken service makes it wait, uncounted, until the
 * service is released (its circuit lets calls through again: one write per outage, however
 * long); a transient failure while the circuit stays closed defers it for a time, and counts
 * against its attempts (the service works for others).
 */
export function verdictFor(
  error: unknown,
  policy: ServicePolicy,
  options: VerdictOptions,
): StepVerdict {
  const { now } = options;
  const service = policy.service;
  const message = describeError(error).message;
  const later = (notBefore: number, reason: string, countsAsFailure = false) => ({
    kind: 'defer' as const,
    notBefore,
    reason,
    countsAsFailure,
    untilReleased: false,
  });
  const untilReleased = (reason: string, notBefore = now) => ({
    kind: 'defer' as const,
    notBefore,
    reason,
    countsAsFailure: false,
    untilReleased: true,
  });
  if (options.aborted) return later(now, 'stopped before the contact finished');
  if (isPermanentError(error) && error.scope === 'request') {
    return { kind: 'fail', reason: `${service}: ${message}` };
  }
  if (isCircuitOpenError(error)) return untilReleased(`${service} circuit OPEN`);
  if (isBulkheadRejectedError(error)) return later(now + 1_000, `${service}: too busy`);
  // the plan's cap of calls at once: the service works and is busy; not this contact's fault
  if (isTransientError(error) && error.concurrency) {
    return later(
      now + Math.max(error.retryAfterMs ?? 0, options.retryDelayMs),
      `${service}: ${message}`,
    );
  }
  const closed = policy.state === 'CLOSED';
  const hint = isServiceError(error) ? (error.retryAfterMs ?? 0) : 0;
  // While the circuit is open the service is down for everyone: not this contact's fault.
  if (!closed) return untilReleased(`${service}: ${message}`, now + hint);
  if (isPermanentError(error)) return later(now, `${service}: ${message}`);
  return later(Math.max(now + hint, now + options.retryDelayMs), `${service}: ${message}`, true);
}
