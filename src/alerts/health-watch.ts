import type { HealthProbeEvent } from '../resilience/index.ts';
import type { AlertInput } from './alert.ts';

/**
 * Turns health probes into alerts: `service_unhealthy` (critical) once a service has failed
 * every probe for `unhealthyAfterMs`, and `service_recovered` (info) when it answers again
 * after that alert. One alert per outage.
 */
export class HealthWatch {
  readonly #unhealthyAfterMs: number;
  readonly #services = new Map<string, { since: number; alerted: boolean }>();

  constructor(unhealthyAfterMs: number) {
    this.#unhealthyAfterMs = unhealthyAfterMs;
  }

  observe(event: HealthProbeEvent): AlertInput | undefined {
    const { service, timestamp } = event;
    const state = this.#services.get(service);
    if (event.healthy) {
      this.#services.delete(service);
      if (!state?.alerted) return undefined;
      return {
        kind: 'service_recovered',
        severity: 'info',
        service,
        message: `Healthy again after ${Math.round((timestamp - state.since) / 1000)} s down.`,
        timestamp,
      };
    }
    if (!state) {
      this.#services.set(service, { since: timestamp, alerted: false });
      return undefined;
    }
    if (state.alerted || timestamp - state.since < this.#unhealthyAfterMs) return undefined;
    state.alerted = true;
    return {
      kind: 'service_unhealthy',
      severity: 'critical',
      service,
      message: `Unhealthy for ${Math.round((timestamp - state.since) / 1000)} s (${event.consecutiveFailures} failed probes): ${event.error?.message ?? 'no answer'}`,
      errorType: event.error?.errorClass,
      timestamp,
    };
  }
}
