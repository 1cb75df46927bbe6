import {
  describeError,
  isPermanentError,
  isRetryable,
  isServiceError,
  TransientServiceError,
} from '../../src/resilience/index.ts';

/**
 * A failure (a broken circuit of a competitor, a quota error) a strategy without our deferral hands back to the flow: the contact is tried again
 * after the flow's retry delay (or the hint) and the attempt counts against it, as a plain job
 * queue would do. Only a request the provider refused itself (a bad number) still fails the
 * contact at once. Our own policy never needs this: it tells an open circuit from a failure.
 */
export class Requeue extends TransientServiceError {}

export function requeueLater(error: unknown, service: string, retryAfterMs?: number): unknown {
  if (isPermanentError(error) && error.scope === 'request') return error;
  // a transient error or a timeout already sends the contact back later, counted
  if (error instanceof Requeue || (isServiceError(error) && isRetryable(error))) return error;
  return new Requeue(`${describeError(error).message} (tried again later)`, {
    service,
    cause: error,
    retryAfterMs,
  });
}
