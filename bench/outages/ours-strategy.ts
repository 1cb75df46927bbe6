import { policyForService } from '../../src/config.ts';
import type { Strategy } from './strategy.ts';

/**
 * The agent as shipped: each service's policy from the app's default config (retry with
 * jitter and a budget, breaker, timeouts, bulkhead), the health checker, the waiting room that
 * defers contacts uncounted while a circuit is open, the CRM outbox.
 */
export const ours: Strategy = {
  name: 'ours',
  usesGlobalTimers: false,
  setUp: (providers, { app }) => ({
    policyConfig: (service) => policyForService(app, service),
    providers,
    dispose: () => undefined,
  }),
};
