import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CircuitState, Disposer } from '../resilience/index.ts';

export interface MetricsOptions {
  /** The registry to register on (default: a new one, never prom-client's global). */
  registry?: Registry;
  /** Prefix of every metric name. */
  prefix?: string;
  /** Also collect the process metrics (CPU, memory, event-loop lag). */
  defaultMetrics?: boolean;
  /** Buckets of the call-duration histogram, in seconds. */
  latencyBuckets?: number[];
}

export const metricsDefaults = {
  prefix: 'call_agent_',
  defaultMetrics: true,
  latencyBuckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
};

/** The circuit-state gauge's values. */
export const CIRCUIT_STATE_VALUE: Readonly<Record<CircuitState, number>> = {
  CLOSED: 0,
  HALF_OPEN: 1,
  OPEN: 2,
};

export type QueueDepthReader = () => Promise<Readonly<Record<string, number>>>;

/** The agent's Prometheus metrics, on a registry of their own. */
export interface Metrics {
  readonly registry: Registry;
  /** Calls by `service` and `outcome` (success, failure, circuit_open, bulkhead_full). */
  readonly calls: Counter<'service' | 'outcome'>;
  /** Retries scheduled, by `service`. */
  readonly retries: Counter<'service'>;
  readonly circuitTransitions: Counter<'service' | 'from' | 'to'>;
  /** 0 closed, 1 half-open, 2 open. */
  readonly circuitState: Gauge<'service'>;
  /** Whole-call duration (retries included) by `service` and `outcome` (success, failure). */
  readonly callDuration: Histogram<'service' | 'outcome'>;
  /** Health probes by `service` and `result` (healthy, unhealthy). */
  readonly healthProbes: Counter<'service' | 'result'>;
  readonly queueDepth: Gauge<'state'>;
  readonly alertsSent: Counter<'channel'>;
  readonly alertsFailed: Counter<'channel'>;
  /**
   * Where the queue-depth gauge reads the counts by state: at each scrape, never per event
   * (counting scans the queue). A failed read keeps the last values. The disposer stops
   * reading (before the queue closes).
   */
  readQueueDepthFrom(read: QueueDepthReader): Disposer;
  alertSent(channel: string): void;
  alertFailed(channel: string): void;
}

/** Creates the metrics on `options.registry` (or a new registry). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const { prefix, defaultMetrics, latencyBuckets } = { ...metricsDefaults, ...options };
  const registry = options.registry ?? new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix });
  const registers = [registry];
  const calls = new Counter({
    name: `${prefix}calls_total`,
    help: 'Calls through a service policy, by outcome.',
    labelNames: ['service', 'outcome'] as const,
    registers,
  });
  const retries = new Counter({
    name: `${prefix}retries_total`,
    help: 'Retries scheduled after a transient failure.',
    labelNames: ['service'] as const,
    registers,
  });
  const circuitTransitions = new Counter({
    name: `${prefix}circuit_transitions_total`,
    help: 'Circuit breaker state transitions.',
    labelNames: ['service', 'from', 'to'] as const,
    registers,
  });
  const circuitState = new Gauge({
    name: `${prefix}circuit_state`,
    help: 'Current circuit state: 0 closed, 1 half-open, 2 open.',
    labelNames: ['service'] as const,
    registers,
  });
  const callDuration = new Histogram({
    name: `${prefix}call_duration_seconds`,
    help: 'Duration of whole calls, retries and their delays included.',
    labelNames: ['service', 'outcome'] as const,
    buckets: latencyBuckets,
    registers,
  });
  const healthProbes = new Counter({
    name: `${prefix}health_probes_total`,
    help: 'Health probes, by result.',
    labelNames: ['service', 'result'] as const,
    registers,
  });
  let readQueueDepth: QueueDepthReader | undefined;
  const queueDepth: Gauge<'state'> = new Gauge({
    name: `${prefix}queue_depth`,
    help: 'Contacts in the call queue, by state.',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const counts = await readQueueDepth?.().catch(() => undefined);
      for (const [state, count] of Object.entries(counts ?? {})) queueDepth.set({ state }, count);
    },
  });
  const alertsSent = new Counter({
    name: `${prefix}alerts_sent_total`,
    help: 'Alerts delivered, by channel.',
    labelNames: ['channel'] as const,
    registers,
  });
  const alertsFailed = new Counter({
    name: `${prefix}alerts_failed_total`,
    help: 'Alerts that could not be delivered, by channel.',
    labelNames: ['channel'] as const,
    registers,
  });
  return {
    registry,
    calls,
    retries,
    circuitTransitions,
    circuitState,
    callDuration,
    healthProbes,
    queueDepth,
    alertsSent,
    alertsFailed,
    readQueueDepthFrom(read) {
      readQueueDepth = read;
      return () => {
        if (readQueueDepth === read) readQueueDepth = undefined;
      };
    },
    alertSent: (channel) => alertsSent.inc({ channel }),
    alertFailed: (channel) => alertsFailed.inc({ channel }),
  };
}
