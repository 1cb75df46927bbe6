import type { CircuitBreaker, ProvesRecoveryFrom } from './circuit-breaker.ts';
import { systemClock, type Clock, type TimerHandle } from './clock.ts';
import { describeError, TimeoutError, type ErrorInfo } from './errors.ts';
import { EventEmitter, type Disposer, type Subscribe } from './events.ts';
import type { HealthProbeEvent } from './policy-events.ts';
import { partsOf, type ServicePolicy } from './service-policy.ts';

/** Resolves when the service answers, rejects when it does not. Must honour `signal`. */
export type HealthProbe = (signal: AbortSignal) => Promise<void>;

/** When to probe, in **seconds** as a PolicyConfig (the seed's `health_check.interval`). */
export interface HealthCheckConfig {
  /** Seconds between the end of one probe and the start of the next. */
  interval: number;
  /** Seconds a probe may take before it has failed (default: the interval). */
  timeout?: number | undefined;
}

export interface HealthCheckDependencies {
  clock?: Clock | undefined;
}

function positiveSeconds(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `health check: ${name} must be a positive number of seconds, got ${value}`,
    );
  }
  return value * 1000;
}

export interface HealthRegistrationOptions {
  /**
   * Whether a passing probe proves the condition behind this `permanent/service` error gone
   * (e.g. an authenticated probe proves a key valid again). Default: never, so a circuit a
   * bad key or an exhausted quota opened is closed only by a half-open trial call.
   */
  provesRecoveryFrom?: ProvesRecoveryFrom | undefined;
}

/** What is known of one service's health. */
export interface ServiceHealth {
  service: string;
  /** undefined until the first probe has finished. */
  healthy: boolean | undefined;
  lastProbeAt: number | undefined;
  lastSuccessAt: number | undefined;
  /** Since when it has been failing, if it is. */
  unhealthySince: number | undefined;
  lastError: ErrorInfo | undefined;
  consecutiveFailures: number;
}

interface Registration {
  probe: HealthProbe;
  breaker: CircuitBreaker | undefined;
  provesRecoveryFrom: ProvesRecoveryFrom | undefined;
  health: ServiceHealth;
  timer: TimerHandle | undefined;
  inFlight: Promise<void> | undefined;
  controller: AbortController | undefined;
}

/**
 * Probes each registered service every `interval` seconds in the background. The next probe is
 * scheduled only after the last one has finished, so probes never overlap. A service that
 * answers again has its policy's circuit closed — unless the circuit moved since the probe
 * began, is held open by hand, or was opened by a `permanent/service` error the probe does not
 * prove gone. A service whose circuit is open until a time it named is not probed before then.
 */
export class HealthChecker {
  readonly #intervalMs: number;
  readonly #probeTimeoutMs: number;
  readonly #clock: Clock;
  readonly #services = new Map<string, Registration>();
  readonly #probes = new EventEmitter<HealthProbeEvent>();
  #running = false;

  constructor(config: HealthCheckConfig, dependencies: HealthCheckDependencies = {}) {
    this.#intervalMs = positiveSeconds('interval', config.interval);
    this.#probeTimeoutMs =
      config.timeout === undefined ? this.#intervalMs : positiveSeconds('timeout', config.timeout);
    this.#clock = dependencies.clock ?? systemClock;
  }

  get onProbe(): Subscribe<HealthProbeEvent> {
    return this.#probes.subscribe;
  }

  get running(): boolean {
    return this.#running;
  }

  /**
   * Adds a service. `probe` must reject when the service is not healthy (an HTTP probe checks
   * the status: a 503 is an answer, not health). When it passes again, `policy`'s circuit, if
   * given, closes.
   */
  register(
    service: string,
    probe: HealthProbe,
    policy?: ServicePolicy,
    options: HealthRegistrationOptions = {},
  ): Disposer {
    if (this.#services.has(service))
      throw new Error(`health checker: ${service} is already registered`);
    const registration: Registration = {
      probe,
      breaker: policy && partsOf(policy).breaker,
      provesRecoveryFrom: options.provesRecoveryFrom,
      timer: undefined,
      inFlight: undefined,
      controller: undefined,
      health: {
        service,
        healthy: undefined,
        lastProbeAt: undefined,
        lastSuccessAt: undefined,
        unhealthySince: undefined,
        lastError: undefined,
        consecutiveFailures: 0,
      },
    };
    this.#services.set(service, registration);
    if (this.#running) this.#schedule(registration);
    return () => {
      registration.timer?.clear();
      registration.controller?.abort();
      this.#services.delete(service);
    };
  }

  /** Starts probing every registered service, first after one interval. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (const registration of this.#services.values()) {
      if (registration.timer === undefined && registration.inFlight === undefined) {
        this.#schedule(registration);
      }
    }
  }

  /** Stops probing: clears timers, aborts probes in flight and waits for them to settle. */
  async stop(): Promise<void> {
    this.#running = false;
    const settling: Array<Promise<void>> = [];
    for (const registration of this.#services.values()) {
      registration.timer?.clear();
      registration.timer = undefined;
      registration.controller?.abort();
      if (registration.inFlight) settling.push(registration.inFlight);
    }
    await Promise.all(settling);
  }

  /** A copy of the health of every service. */
  status(): ServiceHealth[] {
    return [...this.#services.values()].map((r) => ({ ...r.health }));
  }

  statusOf(service: string): ServiceHealth | undefined {
    const registration = this.#services.get(service);
    return registration && { ...registration.health };
  }

  /**
   * Probes one service now (or waits for the probe already running). A service whose breaker
   * is open until a time it named is not probed before then: its health is returned as known.
   */
  async checkNow(service: string): Promise<ServiceHealth> {
    const registration = this.#services.get(service);
    if (!registration) throw new Error(`health checker: ${service} is not registered`);
    if (registration.inFlight === undefined && this.#quietFor(registration) > 0) {
      return { ...registration.health };
    }
    await (registration.inFlight ?? this.#probe(service, registration));
    return { ...registration.health };
  }

  /** How long the service asked not to be called (0 when it may be probed now). */
  #quietFor(registration: Registration): number {
    const until = registration.breaker?.openUntil;
    return until === undefined ? 0 : Math.max(0, until - this.#clock.now());
  }

  #schedule(registration: Registration, delayMs = this.#intervalMs): void {
    registration.timer = this.#clock.setTimer(() => {
      registration.timer = undefined;
      const quiet = this.#quietFor(registration);
      if (quiet > 0) return this.#schedule(registration, quiet);
      const service = registration.health.service;
      void (registration.inFlight ?? this.#probe(service, registration)).then(() => {
        // start() after an unawaited stop() may have scheduled this service already
        const current = this.#services.get(service) === registration;
        if (this.#running && current && registration.timer === undefined) {
          this.#schedule(registration);
        }
      });
    }, delayMs);
  }

  #probe(service: string, registration: Registration): Promise<void> {
    const run = async (): Promise<void> => {
      const controller = new AbortController();
      registration.controller = controller;
      const started = this.#clock.now();
      // a verdict counts only if the breaker has not moved since the probe began
      const generation = registration.breaker?.generation;
      let timedOut = false;
      const deadline = this.#clock.setTimer(() => {
        timedOut = true;
        controller.abort(
          new TimeoutError(`${service}: health probe took longer than ${this.#probeTimeoutMs} ms`, {
            service,
            scope: 'attempt',
          }),
        );
      }, this.#probeTimeoutMs);
      let failure: unknown;
      let failed = false;
      try {
        await raceAbort(registration.probe(controller.signal), controller.signal);
      } catch (error) {
        failed = true;
        failure = error;
      } finally {
        deadline.clear();
        registration.controller = undefined;
      }
      // a probe aborted by stop() is no verdict; one that timed out is (also from checkNow)
      if (!this.#running && controller.signal.aborted && !timedOut && failed) return;
      this.#record(service, registration, started, generation, failed, failure);
    };
    registration.inFlight = run().finally(() => {
      registration.inFlight = undefined;
    });
    return registration.inFlight;
  }

  #record(
    service: string,
    registration: Registration,
    started: number,
    generation: number | undefined,
    failed: boolean,
    failure: unknown,
  ): void {
    const now = this.#clock.now();
    const health = registration.health;
    health.lastProbeAt = now;
    health.healthy = !failed;
    if (failed) {
      health.consecutiveFailures++;
      health.lastError = describeError(failure);
      health.unhealthySince ??= now;
    } else {
      health.consecutiveFailures = 0;
      health.lastSuccessAt = now;
      health.unhealthySince = undefined;
      if (generation !== undefined) {
        registration.breaker?.recordHealthyProbe(generation, registration.provesRecoveryFrom);
      }
    }
    this.#probes.emit({
      service,
      timestamp: now,
      healthy: !failed,
      durationMs: now - started,
      consecutiveFailures: health.consecutiveFailures,
      error: health.lastError && failed ? health.lastError : undefined,
      circuitState: registration.breaker?.state,
    });
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
