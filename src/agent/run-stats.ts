import type { Disposer, ServicePolicy } from '../resilience/index.ts';

/** What one service went through during a run. */
export interface ServiceStats {
  calls: number;
  succeeded: number;
  failures: number;
  rejected: number;
  retries: number;
  circuitOpenings: number;
}

const emptyStats = (): ServiceStats => ({
  calls: 0,
  succeeded: 0,
  failures: 0,
  rejected: 0,
  retries: 0,
  circuitOpenings: 0,
});

/** Counts calls, failures, retries and circuit openings per service from the policies' events. */
export class RunStats {
  readonly #byService = new Map<string, ServiceStats>();
  readonly #disposers: Disposer[] = [];

  watch(policy: ServicePolicy): this {
    const stats = this.#statsOf(policy.service);
    this.#disposers.push(
      policy.onCallSucceeded(() => {
        stats.calls++;
        stats.succeeded++;
      }),
      policy.onCallFailed((event) => {
        // a call the run stopped (SIGTERM, the end of the run) is not the service's failure
        if (event.gaveUp === 'aborted') return;
        stats.calls++;
        stats.failures++;
      }),
      policy.onCallRejected(() => {
        stats.rejected++;
      }),
      policy.onRetryScheduled(() => {
        stats.retries++;
      }),
      policy.onStateChanged((event) => {
        if (event.to === 'OPEN' && event.from === 'CLOSED') stats.circuitOpenings++;
      }),
    );
    return this;
  }

  /** A copy of the figures, by service name. */
  snapshot(): Record<string, ServiceStats> {
    return Object.fromEntries(
      [...this.#byService].map(([service, stats]) => [service, { ...stats }]),
    );
  }

  dispose(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
  }

  #statsOf(service: string): ServiceStats {
    let stats = this.#byService.get(service);
    if (!stats) {
      stats = emptyStats();
      this.#byService.set(service, stats);
    }
    return stats;
  }
}
