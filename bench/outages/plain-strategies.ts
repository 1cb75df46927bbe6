import { isRetryable } from '../../src/resilience/index.ts';
import { guardProviders } from './guarded-providers.ts';
import { passThroughConfig } from './pass-through.ts';
import { Requeue, requeueLater } from './requeue.ts';
import type { Strategy, StrategyContext } from './strategy.ts';
import type { Providers } from '../../src/providers/index.ts';

/** Hands every failure but a refused request back to the queue as "try again later". */
function requeueing(providers: Providers, { clock }: StrategyContext): Providers {
  return guardProviders(
    providers,
    (service) => (work, signal) =>
      work(signal, 0).catch((error: unknown) => {
        throw requeueLater(error, service);
      }),
    () => clock.now(),
  );
}

/** No retry, no breaker: each step is tried once; a failed contact is tried again later. */
export const naive: Strategy = {
  name: 'naive',
  usesGlobalTimers: false,
  setUp: (providers, context) => ({
    policyConfig: () => passThroughConfig(context.app, true),
    providers: requeueing(providers, context),
    dispose: () => undefined,
  }),
};

/**
 * The seed's retry and nothing else: 3 retries after 5 s, ×2 (no jitter), of the errors the
 * seed retries (transient ones); no breaker, no budget, no health checks.
 */
export const retryOnly: Strategy = {
  name: 'retry-only',
  usesGlobalTimers: false,
  setUp: (providers, context) => {
    const base = passThroughConfig(context.app, true);
    return {
      policyConfig: () => ({
        ...base,
        retry: {
          max_retries: 3,
          initial_delay: 5,
          backoff_factor: 2,
          jitter: 'none',
          budget: false,
          should_retry: (error) => isRetryable(error) && !(error instanceof Requeue),
        },
      }),
      providers: requeueing(providers, context),
      dispose: () => undefined,
    };
  },
};
