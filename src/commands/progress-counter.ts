import type { AgentEvent } from '../agent/agent-events.ts';
import type { StateCounts } from '../queue/call-queue.ts';

/** Where a run stands, as the progress line tells it. */
export interface ProgressCounts {
  /** Every contact of the queue. */
  total: number;
  /** Completed or failed. */
  done: number;
  failed: number;
  /** Set aside (waiting for a service or a time) and not finished since. */
  deferred: number;
  /** Contacts finished per minute over the last minute; undefined in the first seconds. */
  perMinute: number | undefined;
}

export interface ProgressCounterOptions {
  /** The queue's counts when the run starts. */
  start: StateCounts;
  /** The contacts deferred when the run starts. */
  deferredIds: Iterable<string>;
  /** When the run starts (clock time). */
  now: number;
  /** The span the rate is taken over. */
  windowMs?: number;
  /** No rate is told before the run is this old. */
  minSpanMs?: number;
}

export const progressCounterDefaults = { windowMs: 60_000, minSpanMs: 5_000 };

/**
 * Counts a run's progress from the campaign's events, without asking the queue again (a
 * count of a big queue is a scan): the queue's counts at the start, then each contact that
 * completes, fails or is deferred.
 */
export class ProgressCounter {
  readonly #total: number;
  readonly #startedAt: number;
  readonly #windowMs: number;
  readonly #minSpanMs: number;
  readonly #deferred: Set<string>;
  #done: number;
  #failed: number;
  /** Contacts finished, by second of clock time, for the last window. */
  readonly #finishedBySecond = new Map<number, number>();

  constructor(options: ProgressCounterOptions) {
    const { start } = options;
    this.#total = Object.values(start).reduce((sum, n) => sum + n, 0);
    this.#done = start.completed + start.failed;
    this.#failed = start.failed;
    this.#deferred = new Set(options.deferredIds);
    this.#startedAt = options.now;
    ({ windowMs: this.#windowMs, minSpanMs: this.#minSpanMs } = {
      ...progressCounterDefaults,
      ...options,
    });
  }

  note(event: AgentEvent): void {
    switch (event.type) {
      case 'contact_completed':
      case 'contact_failed': {
        this.#done++;
        if (event.type === 'contact_failed') this.#failed++;
        this.#deferred.delete(event.contactId);
        const second = Math.floor(event.timestamp / 1000);
        this.#finishedBySecond.set(second, (this.#finishedBySecond.get(second) ?? 0) + 1);
        break;
      }
      case 'contact_deferred':
        this.#deferred.add(event.contactId);
        break;
      case 'lease_lost': // another worker has it now
        this.#deferred.delete(event.contactId);
        break;
    }
  }

  counts(now: number): ProgressCounts {
    return {
      total: this.#total,
      done: this.#done,
      failed: this.#failed,
      deferred: this.#deferred.size,
      perMinute: this.#perMinute(now),
    };
  }

  #perMinute(now: number): number | undefined {
    const span = Math.min(this.#windowMs, now - this.#startedAt);
    if (span < this.#minSpanMs) return undefined;
    const from = Math.floor((now - span) / 1000);
    let finished = 0;
    for (const [second, n] of this.#finishedBySecond) {
      if (second < from) this.#finishedBySecond.delete(second);
      else finished += n;
    }
    return (finished * 60_000) / span;
  }
}
