import type { Disposer } from '../resilience/index.ts';
import { observe, type EventSource } from './event-source.ts';
import type { Logger } from './logger.ts';

export interface AttachLoggingOptions {
  /**
   * `changes` (default): failed probes and the first success after a failure only, so a
   * healthy service does not write a line every interval; `all`: every probe.
   */
  probes?: 'all' | 'changes';
  /**
   * "Circuit OPEN. Skipping call." lines per outage (from the circuit opening after being
   * closed): the first few say what is happening; a long outage would write one per contact
   * (a summary of who waits is written elsewhere). Default: all of them.
   */
  skipLinesPerOutage?: number;
}

export const attachLoggingDefaults = {
  probes: 'changes' as 'all' | 'changes',
  skipLinesPerOutage: Number.POSITIVE_INFINITY,
};

/** Logs the events of a ServicePolicy or HealthChecker; the disposer unsubscribes. */
export function attachLogging(
  source: EventSource,
  logger: Logger,
  options: AttachLoggingOptions = {},
): Disposer {
  const { probes, skipLinesPerOutage } = { ...attachLoggingDefaults, ...options };
  const lastHealthy = new Map<string, boolean>();
  const skipsLogged = new Map<string, number>();
  return observe(source, (observed) => {
    if (observed.type === 'health_probe' && probes === 'changes') {
      const { service, healthy } = observed.event;
      const before = lastHealthy.get(service);
      lastHealthy.set(service, healthy);
      if (healthy && before !== false) return;
    }
    if (observed.type === 'state_changed' && observed.event.from === 'CLOSED') {
      skipsLogged.delete(observed.event.service);
    }
    if (observed.type === 'call_rejected' && observed.event.reason === 'circuit_open') {
      const { service } = observed.event;
      const logged = skipsLogged.get(service) ?? 0;
      if (logged >= skipLinesPerOutage) return;
      skipsLogged.set(service, logged + 1);
    }
    logger.event(observed);
  });
}
