import type {
  CircuitState,
  Clock,
  Disposer,
  ErrorInfo,
  HealthChecker,
  ServicePolicy,
  TimerHandle,
} from '../resilience/index.ts';

/** The last health probe of a service. */
export interface LastProbe {
  at: number;
  healthy: boolean;
  durationMs: number;
  error: ErrorInfo | undefined;
}

/** The last failed call of a service. */
export interface LastFailure {
  at: number;
  error: ErrorInfo;
}

/** One step of a service's timeline: its worst circuit state in the step, its calls and failures. */
export interface TimelineSample {
  at: number;
  state: CircuitState;
  calls: number;
  failures: number;
}

export interface ServiceMonitorOptions {
  policies: ReadonlyMap<string, ServicePolicy>;
  health: Pick<HealthChecker, 'onProbe'>;
  clock: Clock;
  /** The health checker's interval: when the next probe is due. */
  probeIntervalMs: number;
  /** One timeline sample this often. */
  stepMs?: number;
  /** How far back the timeline goes. */
  spanMs?: number;
}

export const serviceMonitorDefaults = { stepMs: 5_000, spanMs: 10 * 60_000 };

const SEVERITY: Readonly<Record<CircuitState, number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

interface Watched {
  policy: ServicePolicy;
  probe: LastProbe | undefined;
  failure: LastFailure | undefined;
  /** The step under way. */
  step: { worst: CircuitState; calls: number; failures: number };
  samples: TimelineSample[];
}

/**
 * What the dashboard shows of each service beside its policy's own state: the last probe (its
 * result and latency, and when the next is due), the last failed call, and a timeline of the
 * circuit state and error rate over the last `spanMs`, one sample per `stepMs`.
 */
export class ServiceMonitor {
  readonly #options: typeof serviceMonitorDefaults & ServiceMonitorOptions;
  readonly #watched = new Map<string, Watched>();
  readonly #disposers: Disposer[] = [];
  readonly #startedAt: number;
  #timer: TimerHandle | undefined;

  constructor(options: ServiceMonitorOptions) {
    this.#options = { ...serviceMonitorDefaults, ...options };
    this.#startedAt = options.clock.now();
    for (const [name, policy] of options.policies) {
      const watched: Watched = {
        policy,
        probe: undefined,
        failure: undefined,
        step: { worst: policy.state, calls: 0, failures: 0 },
        samples: [],
      };
      this.#watched.set(name, watched);
      this.#disposers.push(
        policy.onCallSucceeded(() => watched.step.calls++),
        policy.onCallFailed((event) => {
          if (event.gaveUp === 'aborted') return; // the agent stopped it: not the service's failure
          watched.step.calls++;
          watched.step.failures++;
          watched.failure = { at: event.timestamp, error: event.error };
        }),
        policy.onStateChanged((event) => {
          if (SEVERITY[event.to] > SEVERITY[watched.step.worst]) watched.step.worst = event.to;
        }),
      );
    }
    this.#disposers.push(
      options.health.onProbe((event) => {
        const watched = this.#watched.get(event.service);
        if (watched) {
          watched.probe = {
            at: event.timestamp,
            healthy: event.healthy,
            durationMs: event.durationMs,
            error: event.error,
          };
        }
      }),
    );
    this.#schedule();
  }

  /** The services watched, by name. */
  get services(): string[] {
    return [...this.#watched.keys()];
  }

  lastProbe(service: string): LastProbe | undefined {
    return this.#watched.get(service)?.probe;
  }

  lastFailure(service: string): LastFailure | undefined {
    return this.#watched.get(service)?.failure;
  }

  /**
   * When the next probe is due: an interval after the last one ended (after the start before
   * the first), or when the service's circuit lets anything through, if that is later.
   */
  nextProbeAt(service: string): number | undefined {
    const watched = this.#watched.get(service);
    if (!watched) return undefined;
    const after = (watched.probe?.at ?? this.#startedAt) + this.#options.probeIntervalMs;
    return Math.max(after, watched.policy.circuit().openUntil ?? 0);
  }

  /** Each service's samples, oldest first, and the step they were taken at. */
  timeline(): { stepMs: number; services: Record<string, TimelineSample[]> } {
    const services = Object.fromEntries(
      [...this.#watched].map(([name, watched]) => [name, [...watched.samples]]),
    );
    return { stepMs: this.#options.stepMs, services };
  }

  dispose(): void {
    this.#timer?.clear();
    for (const dispose of this.#disposers.splice(0)) dispose();
  }

  #schedule(): void {
    this.#timer = this.#options.clock.setTimer(() => {
      this.#sample();
      this.#schedule();
    }, this.#options.stepMs);
  }

  #sample(): void {
    const { clock, stepMs, spanMs } = this.#options;
    const at = clock.now();
    const keep = Math.max(1, Math.ceil(spanMs / stepMs));
    for (const watched of this.#watched.values()) {
      const { worst, calls, failures } = watched.step;
      watched.samples.push({ at, state: worst, calls, failures });
      if (watched.samples.length > keep) watched.samples.shift();
      watched.step = { worst: watched.policy.state, calls: 0, failures: 0 };
    }
  }
}
