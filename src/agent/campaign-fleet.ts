import type { Disposer, PolicyDependencies } from '../resilience/index.ts';

/**
 * What a campaign shares with the other workers of a fleet (src/fleet/ implements it on
 * Redis). A campaign without one is on its own, as `call-agent run` on SQLite is.
 */
export interface CampaignFleet {
  /** What a service's policy takes from the fleet: limits on its attempts, a shared retry budget. */
  policyDependencies(service: string): Pick<PolicyDependencies, 'attemptGate' | 'retryBudget'>;
  /**
   * Keeps the service's health probe registered (`register`) while this worker is the fleet's
   * checker of that service; returns what stops that.
   */
  probe(service: string, register: () => Disposer): Disposer;
  /**
   * Whether this worker may replay the CRM outbox now (one at a time, so no record reaches the
   * CRM twice); resolves with what ends its turn, or undefined when another worker has it.
   */
  outboxTurn(): Promise<(() => void) | undefined>;
}
