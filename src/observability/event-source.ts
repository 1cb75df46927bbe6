import type { Disposer, HealthChecker, ServicePolicy } from '../resilience/index.ts';
import type { ObservedEvent } from './log-record.ts';

/** What a sink can subscribe to: a service policy's call events, or a health checker's probes. */
export type PolicyEventSource = Pick<
  ServicePolicy,
  'onRetryScheduled' | 'onCallSucceeded' | 'onCallFailed' | 'onCallRejected' | 'onStateChanged'
>;
export type ProbeEventSource = Pick<HealthChecker, 'onProbe'>;
export type EventSource = PolicyEventSource | ProbeEventSource;

function isProbeSource(source: EventSource): source is ProbeEventSource {
  return 'onProbe' in source;
}

/** Subscribes `listener` to every event of `source`, tagged; returns one disposer for all. */
export function observe(source: EventSource, listener: (event: ObservedEvent) => void): Disposer {
  if (isProbeSource(source)) {
    return source.onProbe((event) => listener({ type: 'health_probe', event }));
  }
  const disposers = [
    source.onRetryScheduled((event) => listener({ type: 'retry_scheduled', event })),
    source.onCallSucceeded((event) => listener({ type: 'call_succeeded', event })),
    source.onCallFailed((event) => listener({ type: 'call_failed', event })),
    source.onCallRejected((event) => listener({ type: 'call_rejected', event })),
    source.onStateChanged((event) => listener({ type: 'state_changed', event })),
  ];
  return () => {
    for (const dispose of disposers) dispose();
  };
}
