import {
  describeError,
  type Clock,
  type ErrorInfo,
  type ServicePolicy,
} from '../resilience/index.ts';
import { alertText, type Alert, type Severity } from './alert.ts';
import type { AlertChannel } from './channels/channel.ts';
import type { Redactor } from '../redaction/redact.ts';
import { TokenBucket } from './token-bucket.ts';

/** Where the alert manager reports its own trouble. */
export type AlertLog = (level: 'info' | 'warning' | 'error', message: string) => void;

export interface ChannelStats {
  sent: number;
  failed: number;
  /** Refused because the channel's queue was full. */
  dropped: number;
  queued: number;
}

export interface ChannelRunnerOptions {
  channel: AlertChannel;
  policy: ServicePolicy;
  clock: Clock;
  ratePerMinute: number;
  maxQueue: number;
  sanitize: Redactor;
  log: AlertLog;
  onSent: (channel: string, alert: Alert) => void;
  onFailed: (channel: string, alert: Alert, error: ErrorInfo) => void;
}

/**
 * One channel's outbox: a bounded queue drained in the background, one alert at a time,
 * through a token bucket (`ratePerMinute`) and the channel's own ServicePolicy.
 */
export class ChannelRunner {
  readonly #o: ChannelRunnerOptions;
  readonly #bucket: TokenBucket;
  readonly #abort = new AbortController();
  readonly #queue: Alert[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  readonly #stats = { sent: 0, failed: 0, dropped: 0 };

  constructor(options: ChannelRunnerOptions) {
    this.#o = options;
    this.#bucket = new TokenBucket(options.ratePerMinute, 60_000, options.clock);
  }

  get name(): string {
    return this.#o.channel.name;
  }

  get minSeverity(): Severity {
    return this.#o.channel.minSeverity;
  }

  get stats(): ChannelStats {
    return { ...this.#stats, queued: this.#queue.length };
  }

  /** Queues an alert; synchronous, never throws, never waits. */
  enqueue(alert: Alert): void {
    if (this.#closed) return;
    if (this.#queue.length >= this.#o.maxQueue) {
      this.#stats.dropped++;
      this.#report('error', `alert dropped (queue of ${this.name} full): ${alertText(alert)}`);
      return;
    }
    this.#queue.push(alert);
    if (!this.#draining) queueMicrotask(() => this.#kick());
  }

  /** Resolves once the queue is empty and nothing is in flight. */
  async idle(): Promise<void> {
    while (this.#draining || (this.#queue.length > 0 && !this.#closed)) {
      if (!this.#draining) this.#kick();
      await this.#draining;
    }
  }

  /**
   * Stops sending: aborts what is in flight, closes the channel, and writes each alert still
   * waiting to the log with its text, so nothing an operator should read is lost silently.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort(new Error('shut down before it was delivered'));
    this.#o.channel.close?.();
    for (const alert of this.#queue.splice(0)) {
      this.#stats.failed++;
      this.#report(
        'error',
        `alert not sent to ${this.name} (shut down); it said: ${alertText(alert)}`,
      );
    }
  }

  #kick(): void {
    if (this.#draining || this.#closed || this.#queue.length === 0) return;
    this.#draining = this.#drain().finally(() => {
      this.#draining = undefined;
    });
  }

  async #drain(): Promise<void> {
    const { clock, policy, channel } = this.#o;
    const signal = this.#abort.signal;
    while (this.#queue.length > 0 && !this.#closed) {
      const wait = this.#bucket.msUntilToken();
      if (wait > 0) {
        try {
          await clock.sleep(wait, signal);
        } catch {
          return;
        }
        continue;
      }
      this.#bucket.tryTake();
      const alert = this.#queue.shift()!;
      try {
        await policy.execute(({ signal: attempt }) => channel.send(alert, attempt), {
          signal,
          context: { alertId: alert.id },
        });
        this.#stats.sent++;
        this.#hook(() => this.#o.onSent(channel.name, alert));
      } catch (error) {
        this.#stats.failed++;
        const info = describeError(error);
        info.message = this.#o.sanitize(info.message);
        this.#report(
          'error',
          `alert not sent to ${channel.name} (${info.message}); it said: ${alertText(alert)}`,
        );
        this.#hook(() => this.#o.onFailed(channel.name, alert, info));
      }
    }
  }

  #hook(fn: () => void): void {
    try {
      fn();
    } catch {
      // a metrics hook must not stop the outbox
    }
  }

  #report(level: 'info' | 'warning' | 'error', message: string): void {
    this.#hook(() => this.#o.log(level, this.#o.sanitize(message)));
  }
}
