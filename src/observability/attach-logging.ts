import type { Disposer } from '../resilience/index.ts';
import { observe, type EventSource } from './event-source.ts';
import type { Logger } from './logger.ts';

export interface AttachLoggingOptions {
  /**
   * `changes` (default): failed probes and the first success after a failure only, so a
   * healthy service does not write a line every interval; `all`: every probe.
   */
  probes?: 'all' | 'changes';
}

/** Logs every event of a ServicePolicy or HealthChecker; the disposer unsubscribes. */
export function attachLogging(
  source: EventSource,
  logger: Logger,
  options: AttachLoggingOptions = {},
): Disposer {
  const probes = options.probes ?? 'changes';
  const lastHealthy = new Map<string, boolean>();
  return observe(source, (observed) => {
    if (observed.type === 'health_probe' && probes === 'changes') {
      const { service, healthy } = observed.event;
      const before = lastHealthy.get(service);
      lastHealthy.set(service, healthy);
      if (healthy && before !== false) return;
    }
    logger.event(observed);
  });
}
