import type { AppConfig } from '../../src/config.ts';
import type { Providers } from '../../src/providers/index.ts';
import type { Clock, CircuitState, PolicyConfig } from '../../src/resilience/index.ts';

export type StrategyName = 'ours' | 'naive' | 'retry-only' | 'cockatiel' | 'opossum';

export interface StrategyContext {
  app: AppConfig;
  clock: Clock;
  /** Seeded: jitter is the same from run to run. */
  random: () => number;
  /** A competitor's breaker of `service` changed state (ours are watched by the runner). */
  onCircuit(service: string, state: CircuitState): void;
}

/** What a strategy gives the campaign: the policy each service gets, and the providers. */
export interface StrategySetup {
  /** The config of the campaign's ServicePolicy for a service (a pass-through for competitors). */
  policyConfig(service: string): PolicyConfig;
  /** The providers the flow calls (wrapped in the competitor's policies). */
  providers: Providers;
  /** Stops the competitor's own timers. */
  dispose(): void;
}

/**
 * A way to protect the calls of the same call flow. The flow calls every step through a
 * ServicePolicy of ours (CallFlow is built on one); a competitor gets one configured to do
 * nothing (no retry, a breaker that counts nothing, no bulkhead to speak of) and does its work
 * around each provider call instead.
 */
export interface Strategy {
  name: StrategyName;
  /** Whether the library reads the global timers and `Date.now` (see virtual-globals.ts). */
  usesGlobalTimers: boolean;
  setUp(providers: Providers, context: StrategyContext): StrategySetup;
}
