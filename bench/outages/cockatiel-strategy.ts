import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';
import {
  isPermanentError,
  isRetryable,
  isServiceError,
  type CircuitState,
} from '../../src/resilience/index.ts';
import { guardProviders, type Guard } from './guarded-providers.ts';
import { passThroughConfig } from './pass-through.ts';
import { requeueLater } from './requeue.ts';
import type { Strategy, StrategyContext } from './strategy.ts';

/**
 * cockatiel 3.2.1's settings, from its README (`retry(…, { maxAttempts: 3, backoff: new
 * ExponentialBackoff() })`, `circuitBreaker(…, { halfOpenAfter: 10 * 1000, breaker: new
 * ConsecutiveBreaker(5) })`, composed `wrap(retry, breaker, timeout)`), tuned as a user calling
 * an HTTP API would: only errors worth retrying are retried (a timed-out attempt is), a refused
 * request does not count against the service, `Retry-After` is a floor under the backoff (as
 * in examples/resilience/quote-cockatiel.ts), and each attempt is cut at the app's attempt
 * timeout (30 s).
 */
export const cockatielSettings = {
  maxAttempts: 3,
  /** ExponentialBackoff's defaults: 128 ms, ×2, at most 30 s (full jitter, seeded here). */
  initialDelayMs: 128,
  maxDelayMs: 30_000,
  halfOpenAfterMs: 10_000,
  consecutiveFailures: 5,
};

const retryable = (error: Error): boolean =>
  error instanceof TaskCancelledError || (isServiceError(error) && isRetryable(error));
const countsAgainstService = (error: Error): boolean =>
  !(isPermanentError(error) && error.scope === 'request');

function cockatielGuard(service: string, context: StrategyContext): Guard {
  const hint = ({ result }: IRetryBackoffContext<unknown>): number =>
    'error' in result && isServiceError(result.error) ? (result.error.retryAfterMs ?? 0) : 0;
  const retries = retry(handleWhen(retryable), {
    maxAttempts: cockatielSettings.maxAttempts,
    backoff: new DelegateBackoff((backoff: IRetryBackoffContext<unknown>) => {
      const ceiling = Math.min(
        cockatielSettings.maxDelayMs,
        cockatielSettings.initialDelayMs * 2 ** (backoff.attempt - 1),
      );
      return Math.max(hint(backoff), context.random() * ceiling);
    }),
  });
  const breaker = circuitBreaker(handleWhen(countsAgainstService), {
    halfOpenAfter: cockatielSettings.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(cockatielSettings.consecutiveFailures),
  });
  const state = (to: CircuitState) => () => context.onCircuit(service, to);
  breaker.onBreak(state('OPEN'));
  breaker.onHalfOpen(state('HALF_OPEN'));
  breaker.onReset(state('CLOSED'));
  const policy = wrap(
    retries,
    breaker,
    timeout(context.app.timeout.attempt * 1000, TimeoutStrategy.Aggressive),
  );
  return async (work, signal) => {
    let attempt = 0;
    try {
      return await policy.execute(
        ({ signal: attemptSignal }) => work(attemptSignal, attempt++),
        signal,
      );
    } catch (error) {
      // the open circuit's "not now" becomes "try this contact again when it half-opens"
      const later =
        error instanceof BrokenCircuitError ? cockatielSettings.halfOpenAfterMs : undefined;
      throw requeueLater(error, service, later);
    }
  };
}

/**
 * cockatiel around each provider call. Its timers and clock are the globals, which the runner
 * backs with the campaign's VirtualClock for the run (virtual-globals.ts).
 */
export const cockatiel: Strategy = {
  name: 'cockatiel',
  usesGlobalTimers: true,
  setUp: (providers, context) => {
    const guards = new Map<string, Guard>();
    const guardFor = (service: string): Guard => {
      let guard = guards.get(service);
      if (!guard) guards.set(service, (guard = cockatielGuard(service, context)));
      return guard;
    };
    return {
      policyConfig: () => passThroughConfig(context.app, false),
      providers: guardProviders(providers, guardFor, () => context.clock.now()),
      dispose: () => undefined,
    };
  },
};
