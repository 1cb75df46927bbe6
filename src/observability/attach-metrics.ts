import type { Disposer } from '../resilience/index.ts';
import { ServicePolicy } from '../resilience/service-policy.ts';
import { observe, type EventSource } from './event-source.ts';
import { CIRCUIT_STATE_VALUE, type Metrics } from './metrics.ts';

/** Counts every event of a ServicePolicy or HealthChecker into `metrics`; returns a disposer. */
export function attachMetrics(source: EventSource, metrics: Metrics): Disposer {
  if (source instanceof ServicePolicy) {
    metrics.circuitState.set({ service: source.service }, CIRCUIT_STATE_VALUE[source.state]);
  }
  return observe(source, (observed) => {
    switch (observed.type) {
      case 'retry_scheduled':
        metrics.retries.inc({ service: observed.event.service });
        return;
      case 'call_succeeded': {
        const { service, durationMs } = observed.event;
        metrics.calls.inc({ service, outcome: 'success' });
        metrics.callDuration.observe({ service, outcome: 'success' }, durationMs / 1000);
        return;
      }
      case 'call_failed': {
        const { service, durationMs } = observed.event;
        metrics.calls.inc({ service, outcome: 'failure' });
        metrics.callDuration.observe({ service, outcome: 'failure' }, durationMs / 1000);
        return;
      }
      case 'call_rejected':
        metrics.calls.inc({ service: observed.event.service, outcome: observed.event.reason });
        return;
      case 'state_changed': {
        const { service, from, to } = observed.event;
        metrics.circuitTransitions.inc({ service, from, to });
        metrics.circuitState.set({ service }, CIRCUIT_STATE_VALUE[to]);
        return;
      }
      case 'health_probe': {
        const { service, healthy, circuitState } = observed.event;
        metrics.healthProbes.inc({ service, result: healthy ? 'healthy' : 'unhealthy' });
        if (circuitState) metrics.circuitState.set({ service }, CIRCUIT_STATE_VALUE[circuitState]);
        return;
      }
      case 'agent':
        return;
    }
  });
}
