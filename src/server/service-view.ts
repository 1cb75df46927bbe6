import type { ErrorInfo, ServiceHealth, ServicePolicy } from '../resilience/index.ts';
import type { ServiceStats } from '../agent/run-stats.ts';
import type { ServiceMonitor } from './service-monitor.ts';

const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString();

const errorView = (error: ErrorInfo | undefined) =>
  error === undefined ? null : { type: error.errorClass, message: error.message };

/**
 * One service as `GET /services` shows it: its circuit (state, since when, why, held, when it
 * lets a call through), its health (the last probe, its result and latency, the next probe;
 * `health` undefined: another member of the fleet probes the service, not this process),
 * its counters, its last error and its retry budget's level.
 */
export function serviceView(
  name: string,
  policy: ServicePolicy,
  monitor: ServiceMonitor,
  stats: ServiceStats | undefined,
  health: ServiceHealth | undefined,
): Record<string, unknown> {
  const circuit = policy.circuit();
  const probe = monitor.lastProbe(name);
  const failure = monitor.lastFailure(name);
  const budget = policy.retryBudgetTokens();
  return {
    name,
    circuit: {
      state: circuit.state,
      since: circuit.since === 0 ? null : iso(circuit.since),
      reason: circuit.reason ?? null,
      held: circuit.held,
      open_until: iso(circuit.openUntil),
      next_attempt_at: circuit.state === 'CLOSED' ? null : iso(policy.nextAttemptAt()),
      error: errorView(circuit.error),
    },
    health: {
      healthy: health?.healthy ?? null,
      probed_here: health !== undefined,
      last_probe_at: iso(probe?.at),
      latency_ms: probe?.durationMs ?? null,
      last_error: probe && !probe.healthy ? errorView(probe.error) : null,
      next_probe_at: health === undefined ? null : iso(monitor.nextProbeAt(name)),
    },
    counters: {
      calls: stats?.calls ?? 0,
      succeeded: stats?.succeeded ?? 0,
      failures: stats?.failures ?? 0,
      rejected: stats?.rejected ?? 0,
      retries: stats?.retries ?? 0,
      circuit_openings: stats?.circuitOpenings ?? 0,
    },
    last_error: failure ? { at: iso(failure.at), ...errorView(failure.error) } : null,
    retry_budget: budget === undefined ? null : { tokens: Math.floor(budget * 10) / 10 },
  };
}
