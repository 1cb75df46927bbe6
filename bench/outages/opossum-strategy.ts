import CircuitBreaker from 'opossum';
import {
  isPermanentError,
  isRetryable,
  isServiceError,
  TimeoutError,
  type Clock,
} from '../../src/resilience/index.ts';
import { guardProviders, type Guard } from './guarded-providers.ts';
import { passThroughConfig } from './pass-through.ts';
import { requeueLater } from './requeue.ts';
import type { Strategy, StrategyContext } from './strategy.ts';

/**
 * opossum 9.0.0's settings from its README (`errorThresholdPercentage: 50`, `resetTimeout:
 * 30000`, the default 10 s rolling window), its `timeout` raised from the README's 3 s to the
 * app's total time of a call (120 s), since the breaker wraps a whole retry loop; opossum has
 * no retry, so the loop is the user's (as in examples/resilience/quote-opossum.ts): 3 retries,
 * full-jitter backoff from 1 s ×2 with `Retry-After` as a floor, each attempt cut at the app's
 * attempt timeout (30 s). A request refused by the provider itself is filtered (`errorFilter`),
 * not counted against the service.
 */
export const opossumSettings = {
  errorThresholdPercentage: 50,
  resetTimeoutMs: 30_000,
  maxRetries: 3,
  initialDelayMs: 1_000,
  maxDelayMs: 60_000,
};

type Work = (signal: AbortSignal, attempt: number) => Promise<unknown>;

/** One call with its retries; every wait and deadline on the campaign's clock. */
async function withRetries(
  work: Work,
  signal: AbortSignal,
  context: StrategyContext,
): Promise<unknown> {
  const { clock, random, app } = context;
  for (let attempt = 0; ; attempt++) {
    try {
      return await withDeadline(clock, app.timeout.attempt * 1000, signal, (s) => work(s, attempt));
    } catch (error) {
      if (signal.aborted || attempt === opossumSettings.maxRetries || !isRetryable(error))
        throw error;
      const hint = isServiceError(error) ? (error.retryAfterMs ?? 0) : 0;
      const ceiling = Math.min(
        opossumSettings.maxDelayMs,
        opossumSettings.initialDelayMs * 2 ** attempt,
      );
      await clock.sleep(Math.max(hint, random() * ceiling), signal);
    }
  }
}

async function withDeadline<T>(
  clock: Clock,
  ms: number,
  signal: AbortSignal,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const attempt = new AbortController();
  const timer = clock.setTimer(
    () =>
      attempt.abort(
        new TimeoutError(`attempt took over ${ms} ms`, { service: 'opossum', scope: 'attempt' }),
      ),
    ms,
  );
  const onAbort = (): void => attempt.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await run(attempt.signal);
  } catch (error) {
    throw attempt.signal.aborted && !signal.aborted ? attempt.signal.reason : error;
  } finally {
    timer.clear();
    signal.removeEventListener('abort', onAbort);
  }
}

function opossumGuard(service: string, context: StrategyContext): { guard: Guard; stop(): void } {
  const breaker = new CircuitBreaker(
    (work: Work, signal: AbortSignal) => withRetries(work, signal, context),
    {
      timeout: context.app.timeout.total * 1000,
      errorThresholdPercentage: opossumSettings.errorThresholdPercentage,
      resetTimeout: opossumSettings.resetTimeoutMs,
      errorFilter: (error: unknown) => isPermanentError(error) && error.scope === 'request',
    },
  );
  breaker.on('open', () => context.onCircuit(service, 'OPEN'));
  breaker.on('halfOpen', () => context.onCircuit(service, 'HALF_OPEN'));
  breaker.on('close', () => context.onCircuit(service, 'CLOSED'));
  const guard: Guard = async <T>(
    work: (s: AbortSignal, attempt: number) => Promise<T>,
    signal: AbortSignal,
  ) => {
    // opossum's timeout rejects the call but cannot stop the loop: this call's own signal does
    const call = new AbortController();
    try {
      return (await breaker.fire(work, AbortSignal.any([signal, call.signal]))) as T;
    } catch (error) {
      call.abort();
      const open = (error as { code?: unknown }).code === 'EOPENBREAKER';
      throw requeueLater(error, service, open ? opossumSettings.resetTimeoutMs : undefined);
    }
  };
  return { guard, stop: () => breaker.shutdown() };
}

/**
 * opossum around each provider call. It arms its reset and timeout with the global
 * `setTimeout`, rolls its stats with `setInterval` and stamps with `Date.now`: the runner backs
 * those with the campaign's VirtualClock for the run (virtual-globals.ts).
 */
export const opossum: Strategy = {
  name: 'opossum',
  usesGlobalTimers: true,
  setUp: (providers, context) => {
    const guards = new Map<string, { guard: Guard; stop(): void }>();
    const guardFor = (service: string): Guard => {
      let entry = guards.get(service);
      if (!entry) guards.set(service, (entry = opossumGuard(service, context)));
      return entry.guard;
    };
    return {
      policyConfig: () => passThroughConfig(context.app, false),
      providers: guardProviders(providers, guardFor, () => context.clock.now()),
      dispose: () => {
        for (const { stop } of guards.values()) stop();
      },
    };
  },
};
