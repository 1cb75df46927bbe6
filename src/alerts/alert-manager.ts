import { randomUUID } from 'node:crypto';
import {
  systemClock,
  type Clock,
  type Disposer,
  type ErrorInfo,
  type HealthChecker,
  type ServicePolicy,
} from '../resilience/index.ts';
import { atLeast, type Alert, type AlertInput } from './alert.ts';
import { alertForFailure, alertForStateChange } from './alert-rules.ts';
import { channelPolicy } from './channel-policy.ts';
import { ChannelRunner, type AlertLog, type ChannelStats } from './channel-runner.ts';
import type { AlertChannel } from './channels/channel.ts';
import { AlertDeduper } from './dedupe.ts';
import { HealthWatch } from './health-watch.ts';
import { processOutput } from '../redaction/output.ts';
import { createRedactor } from '../redaction/redact.ts';

export interface AlertManagerOptions {
  channels: readonly AlertChannel[];
  clock?: Clock;
  /** Repeats of one service + kind inside this window become one summary with a count. */
  dedupeWindowMs?: number;
  /** A service failing every probe this long raises `service_unhealthy`. */
  unhealthyAfterMs?: number;
  /** Messages per channel per minute (token bucket); more wait their turn. */
  ratePerMinute?: number;
  /** Alerts waiting per channel; past this they are dropped and counted. */
  maxQueue?: number;
  /** Each channel's policy (default: `channelPolicy(channel.name, clock)`). */
  policyFor?: (channel: AlertChannel, clock: Clock) => ServicePolicy;
  log?: AlertLog;
  onSent?: (channel: string, alert: Alert) => void;
  onFailed?: (channel: string, alert: Alert, error: ErrorInfo) => void;
  /** Extra redaction applied to every alert text and log message (e.g. the logger's). */
  redact?: (text: string) => string;
  /** Secret values to mask besides the channels' own. */
  secrets?: readonly string[];
  newId?: () => string;
}

export const alertManagerDefaults = {
  clock: systemClock as Clock,
  dedupeWindowMs: 5 * 60_000,
  unhealthyAfterMs: 60_000,
  ratePerMinute: 10,
  maxQueue: 100,
  policyFor: (channel: AlertChannel, clock: Clock): ServicePolicy =>
    channelPolicy(channel.name, clock),
  log: ((level, message) =>
    processOutput.err(`${level.toUpperCase()} alerts: ${message}`)) as AlertLog,
  onSent: ((): void => {}) as (channel: string, alert: Alert) => void,
  onFailed: ((): void => {}) as (channel: string, alert: Alert, error: ErrorInfo) => void,
  redact: (text: string): string => text,
  secrets: [] as readonly string[],
  newId: (): string => `alert_${randomUUID()}`,
};

/** What the manager can listen to. */
export type AlertSource =
  Pick<ServicePolicy, 'onCallFailed' | 'onStateChanged'> | Pick<HealthChecker, 'onProbe'>;

/**
 * Turns engine events into alerts and delivers them off the call path. `raise` and the
 * event handlers are synchronous and never throw; each channel has its own outbox, rate
 * limit and ServicePolicy, so a channel that is down delays nothing but its own alerts.
 */
export class AlertManager {
  readonly #o: typeof alertManagerDefaults & { channels: readonly AlertChannel[] };
  readonly #runners: ChannelRunner[];
  readonly #deduper: AlertDeduper;
  readonly #health: HealthWatch;
  readonly #sanitize: (text: string) => string;

  constructor(options: AlertManagerOptions) {
    const o = { ...alertManagerDefaults, ...options };
    this.#o = o;
    const mask = createRedactor([...o.secrets, ...o.channels.flatMap((c) => c.secrets)]);
    this.#sanitize = (text) => o.redact(mask(text));
    this.#runners = o.channels.map(
      (channel) =>
        new ChannelRunner({
          channel,
          policy: o.policyFor(channel, o.clock),
          clock: o.clock,
          ratePerMinute: o.ratePerMinute,
          maxQueue: o.maxQueue,
          sanitize: this.#sanitize,
          log: o.log,
          onSent: o.onSent,
          onFailed: o.onFailed,
        }),
    );
    this.#deduper = new AlertDeduper(o.dedupeWindowMs, o.clock, (input, more) =>
      this.#dispatch(input, more),
    );
    this.#health = new HealthWatch(o.unhealthyAfterMs);
  }

  /** Raises an alert (deduplicated, then queued on every channel that takes its severity). */
  raise(input: AlertInput): void {
    this.#guard(() =>
      this.#deduper.offer({
        ...input,
        service: this.#sanitize(input.service),
        message: this.#sanitize(input.message),
        timestamp: input.timestamp ?? this.#o.clock.now(),
      }),
    );
  }

  /** Listens to a ServicePolicy's failures and transitions, or a HealthChecker's probes. */
  attach(source: AlertSource): Disposer {
    if ('onProbe' in source) {
      return source.onProbe((event) =>
        this.#guard(() => this.#raiseIf(this.#health.observe(event))),
      );
    }
    const offFailed = source.onCallFailed((event) =>
      this.#guard(() => this.#raiseIf(alertForFailure(event))),
    );
    const offChanged = source.onStateChanged((event) =>
      this.#guard(() => this.#raiseIf(alertForStateChange(event))),
    );
    return () => {
      offFailed();
      offChanged();
    };
  }

  /** Sent, failed, dropped and queued alerts, per channel. */
  stats(): Record<string, ChannelStats> {
    return Object.fromEntries(this.#runners.map((r) => [r.name, r.stats]));
  }

  /** Resolves once every channel's outbox is empty. */
  async idle(): Promise<void> {
    await Promise.all(this.#runners.map((r) => r.idle()));
  }

  /** Sends pending summaries, waits for the outboxes (until `signal` aborts), then stops. */
  async close(signal?: AbortSignal): Promise<void> {
    this.#deduper.flush();
    const stop = (): void => this.#runners.forEach((r) => r.close());
    signal?.addEventListener('abort', stop, { once: true });
    try {
      if (!signal?.aborted) await this.idle();
    } finally {
      signal?.removeEventListener('abort', stop);
      stop();
    }
  }

  #raiseIf(input: AlertInput | undefined): void {
    if (input) this.raise(input);
  }

  #dispatch(input: AlertInput, more: number): void {
    const alert: Alert = {
      id: this.#o.newId(),
      kind: input.kind,
      severity: input.severity,
      service: input.service,
      errorType: input.errorType,
      message: input.message,
      timestamp: more > 0 ? this.#o.clock.now() : (input.timestamp ?? this.#o.clock.now()),
      count: more > 0 ? more : 1,
      summary: more > 0,
      windowMs: this.#o.dedupeWindowMs,
    };
    for (const runner of this.#runners) {
      if (atLeast(alert.severity, runner.minSeverity)) runner.enqueue(alert);
    }
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      try {
        this.#o.log('error', this.#sanitize(`alert manager: ${String(error)}`));
      } catch {
        // never throw into the engine
      }
    }
  }
}
