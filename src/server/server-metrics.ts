import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventHub } from './event-hub.ts';

/** The server's own metrics, beside the agent's on the same registry. */
export interface ServerMetrics {
  /** Counts an answered request. */
  answered(method: string, status: number): void;
  /** Counts an event-stream client dropped for falling behind. */
  dropped(): void;
}

/**
 * `call_agent_http_requests_total` (by method and status), `call_agent_sse_clients` (event
 * streams open now) and `call_agent_sse_dropped_total` (streams dropped for falling behind).
 */
export function createServerMetrics(
  registry: Registry,
  hub: Pick<EventHub, 'clients'>,
): ServerMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'call_agent_http_requests_total',
    help: 'Requests the API answered, by method and status.',
    labelNames: ['method', 'status'] as const,
    registers,
  });
  const drops = new Counter({
    name: 'call_agent_sse_dropped_total',
    help: 'Event-stream clients dropped for falling behind.',
    registers,
  });
  new Gauge({
    name: 'call_agent_sse_clients',
    help: 'Event-stream clients connected now.',
    registers,
    collect() {
      this.set(hub.clients);
    },
  });
  return {
    answered: (method, status) => requests.inc({ method, status: String(status) }),
    dropped: () => drops.inc(),
  };
}
