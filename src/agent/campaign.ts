import type {
  Crm,
  HealthProbed,
  ScriptWriter,
  SpeechSynthesizer,
  Telephony,
} from '../providers/ports.ts';
import type { CallQueue } from '../queue/call-queue.ts';
import {
  createServicePolicy,
  HealthChecker,
  type CircuitStateStore,
  type Clock,
  type Disposer,
  type PolicyConfig,
  type ServicePolicy,
} from '../resilience/index.ts';
import { EventEmitter } from '../resilience/events.ts';
import type { AgentEvent } from './agent-events.ts';
import type { CampaignFleet } from './campaign-fleet.ts';
import type { AudioStore } from './audio-store.ts';
import { CallFlow, type CallFlowServices } from './call-flow.ts';
import { CampaignWorker, type RunEnd } from './campaign-worker.ts';
import { CrmOutbox } from './crm-outbox.ts';
import { RunStats } from './run-stats.ts';
import { TurnBudget } from './turn-budget.ts';
import { WaitingReport } from './waiting-report.ts';
import { WaitingRoom } from './waiting-room.ts';

export interface CampaignProviders {
  llm: ScriptWriter;
  tts: SpeechSynthesizer;
  ttsFallback?: SpeechSynthesizer | undefined;
  telephony: Telephony;
  crm: Crm;
}

/** Policy configuration per provider, keyed by the provider's service name. */
export type PolicyConfigFor = (service: string) => PolicyConfig;

export interface CampaignOptions {
  providers: CampaignProviders;
  policyConfig: PolicyConfigFor;
  queue: CallQueue;
  audio: AudioStore;
  clock: Clock;
  random?: (() => number) | undefined;
  health: { intervalMs: number; timeoutMs: number };
  concurrency: number;
  leaseMs: number;
  /** How long a contact waits after a transient failure when nothing says otherwise. */
  retryDelayMs?: number | undefined;
  /** After a circuit closes, how long the contacts that waited on it take to flow at full speed. */
  recoveryRampMs?: number | undefined;
  /** How long after a template script a resumed contact asks the LLM again. */
  retryTemplateForMs?: number | undefined;
  /** How often, while contacts wait on a service, a report says how many and why. */
  waitingReportMs?: number | undefined;
  workerId?: string | undefined;
  /**
   * Works until stopped: an empty queue is idle, not the end (`call-agent serve`, a worker of
   * a fleet).
   */
  continuous?: boolean | undefined;
  /** Shared with the other workers of a fleet: limits, retry budget, health checks, outbox. */
  fleet?: CampaignFleet | undefined;
}

export const campaignDefaults = { waitingReportMs: 30_000 };

/**
 * A campaign, wired: one policy per service (a provider serving two roles shares one), the
 * health checker that closes breakers again, the call flow, the CRM outbox and the worker.
 */
export class Campaign {
  readonly policies: Map<string, ServicePolicy>;
  readonly health: HealthChecker;
  readonly events = new EventEmitter<AgentEvent>();
  readonly stats = new RunStats();
  readonly worker: CampaignWorker;
  readonly outbox: CrmOutbox;
  readonly #clock: Clock;
  readonly #crmService: string;
  readonly #waiting: WaitingRoom;
  readonly #report: WaitingReport;

  constructor(options: CampaignOptions) {
    const { providers, clock } = options;
    this.#clock = clock;
    this.#crmService = providers.crm.service;
    this.policies = new Map();
    const bind = <P extends HealthProbed>(provider: P) => {
      let policy = this.policies.get(provider.service);
      if (!policy) {
        policy = createServicePolicy(provider.service, options.policyConfig(provider.service), {
          clock,
          random: options.random,
          ...options.fleet?.policyDependencies(provider.service),
        });
        this.policies.set(provider.service, policy);
        this.stats.watch(policy);
      }
      return { provider, policy };
    };
    const services: CallFlowServices = {
      llm: bind(providers.llm),
      tts: bind(providers.tts),
      ttsFallback: providers.ttsFallback && bind(providers.ttsFallback),
      telephony: bind(providers.telephony),
      crm: bind(providers.crm),
    };
    this.health = new HealthChecker(
      { interval: options.health.intervalMs / 1000, timeout: options.health.timeoutMs / 1000 },
      { clock },
    );
    const probed = new Set<string>();
    for (const { provider, policy } of Object.values(services).filter((s) => s !== undefined)) {
      if (probed.has(provider.service)) continue;
      probed.add(provider.service);
      const register = () =>
        this.health.register(provider.service, (signal) => provider.probe(signal), policy, {
          provesRecoveryFrom: (error) => provider.probeProves(error),
        });
      if (options.fleet) options.fleet.probe(provider.service, register);
      else register();
    }
    // one budget for the event loop: the slots' claims and the steps after each answer share it
    const turns = new TurnBudget({ clock });
    const flow = new CallFlow({
      services,
      queue: options.queue,
      audio: options.audio,
      events: this.events,
      clock,
      retryDelayMs: options.retryDelayMs,
      retryTemplateForMs: options.retryTemplateForMs,
      turns,
    });
    this.outbox = new CrmOutbox({
      crm: services.crm,
      queue: options.queue,
      events: this.events,
      clock,
      turn: options.fleet && (() => options.fleet!.outboxTurn()),
    });
    // The CRM is back: the outbox loop replays at once (its failures end the run, as others do).
    services.crm.policy.onStateChanged((event) => {
      if (event.to === 'CLOSED') this.worker.wake();
    });
    this.worker = new CampaignWorker({
      queue: options.queue,
      flow,
      outbox: this.outbox,
      clock,
      events: this.events,
      concurrency: options.concurrency,
      leaseMs: options.leaseMs,
      turns,
      continuous: options.continuous ?? false,
      ...(options.workerId ? { workerId: options.workerId } : {}),
    });
    this.#waiting = new WaitingRoom({
      queue: options.queue,
      policies: this.policies,
      clock,
      rampMs: options.recoveryRampMs ?? 0,
      fullRate: options.concurrency,
      // contacts wait on the first voice when every voice is down; the fallback can serve them
      standIns: new Map(
        services.ttsFallback
          ? [[services.tts.provider.service, [services.ttsFallback.provider.service]]]
          : [],
      ),
      onReleased: () => this.worker.wake(),
    });
    this.#report = new WaitingReport({
      queue: options.queue,
      policies: this.policies,
      clock,
      intervalMs: options.waitingReportMs ?? campaignDefaults.waitingReportMs,
      emit: (event) => this.events.emit(event),
    });
  }

  /**
   * Runs until the queue is drained (never, `continuous`) or `signal` aborts; health probes run meanwhile, and the
   * contacts that wait on a service are let back in as its circuit allows.
   */
  async run(signal?: AbortSignal): Promise<RunEnd> {
    const stop = new AbortController();
    let failure: { error: unknown } | undefined;
    const onAbort = (): void => stop.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    this.health.start();
    const fail = (error: unknown): void => {
      failure ??= { error };
      stop.abort(error);
    };
    this.#waiting.start(fail);
    this.#report.start(fail);
    try {
      const end = await this.worker.run(stop.signal);
      if (failure) throw failure.error;
      return end;
    } finally {
      this.#waiting.stop();
      this.#report.stop();
      signal?.removeEventListener('abort', onAbort);
      await this.health.stop();
    }
  }

  /** Stops claiming contacts; the contacts in flight go on. */
  pause(): void {
    this.worker.pause();
  }

  /** Claims contacts again. */
  resume(): void {
    this.worker.resume();
  }

  get paused(): boolean {
    return this.worker.paused;
  }

  /** Contacts were added to the queue: the idle slots look at once. */
  wake(): void {
    this.worker.wake();
  }

  /** Contacts being worked on now. */
  get inFlight(): number {
    return this.worker.inFlight;
  }

  /** Resolves once no contact is in flight. */
  whenNoneInFlight(): Promise<void> {
    return this.worker.whenNoneInFlight();
  }

  /**
   * Keeps every breaker's state in `store` from now on, starting from what it holds (an open
   * circuit stays open after a restart). Call before `run`. Resolves to a disposer.
   */
  async keepCircuitsIn(store: CircuitStateStore): Promise<Disposer> {
    const detach = await Promise.all(
      [...this.policies.values()].map((policy) => policy.attachStore(store)),
    );
    return () => detach.forEach((dispose) => dispose());
  }

  get clock(): Clock {
    return this.#clock;
  }

  /** The service the CRM outbox waits for. */
  get crmService(): string {
    return this.#crmService;
  }
}
