import type { Campaign } from '../agent/campaign.ts';
import { observe, toLogRecord, type LogRecord } from '../observability/index.ts';
import type { ContactEvent, SqliteContactHistory } from '../queue/index.ts';
import type { Redactor } from '../redaction/redact.ts';
import type { Clock, Disposer, TimerHandle } from '../resilience/index.ts';
import { toLoggedEvent } from './agent-log-lines.ts';

export interface HistoryRecorderOptions {
  clock: Clock;
  /** Applied to every string of a record before it is stored. */
  redact: Redactor;
  /** Events are written together, this long after the first of them. */
  flushMs?: number;
  /** Written at once when this many wait. */
  maxPending?: number;
  /** A write that failed (the events it held are not kept). */
  onError: (error: unknown) => void;
}

export const historyRecorderDefaults = { flushMs: 250, maxPending: 500 };

/**
 * Keeps each contact's history: every engine and agent event about a contact (its calls, their
 * retries and failures, its deferrals and its end) as its log record, redacted, written to the
 * queue's file in batches. Unlike the log, it leaves nothing out (the log says "Circuit OPEN.
 * Skipping call." for the first few contacts of an outage only).
 */
export class ContactHistoryRecorder {
  readonly #history: Pick<SqliteContactHistory, 'append'>;
  readonly #options: typeof historyRecorderDefaults & HistoryRecorderOptions;
  readonly #disposers: Disposer[] = [];
  #pending: ContactEvent[] = [];
  #timer: TimerHandle | undefined;

  constructor(
    campaign: Campaign,
    history: Pick<SqliteContactHistory, 'append'>,
    options: HistoryRecorderOptions,
  ) {
    this.#history = history;
    this.#options = { ...historyRecorderDefaults, ...options };
    for (const policy of campaign.policies.values()) {
      this.#disposers.push(
        observe(policy, (observed) => {
          if (observed.type !== 'health_probe') this.#add(toLogRecord(observed));
        }),
      );
    }
    this.#disposers.push(
      campaign.events.subscribe((event) => {
        const logged = toLoggedEvent(event);
        if (logged) this.#add(toLogRecord({ type: 'agent', event: logged }));
      }),
    );
  }

  /** Writes what waits. */
  flush(): void {
    this.#timer?.clear();
    this.#timer = undefined;
    const events = this.#pending;
    this.#pending = [];
    try {
      this.#history.append(events);
    } catch (error) {
      this.#options.onError(error);
    }
  }

  /** Stops recording and writes what waits. */
  dispose(): void {
    for (const dispose of this.#disposers.splice(0)) dispose();
    this.flush();
  }

  #add(record: LogRecord): void {
    const contactId = record.contact_id;
    if (contactId === undefined) return;
    const { redact, clock, flushMs, maxPending } = this.#options;
    const { event_id: _id, contact_id: _contact, ...kept } = record;
    const safe = Object.fromEntries(
      Object.entries(kept).map(([key, value]) => [
        key,
        typeof value === 'string' ? redact(value) : value,
      ]),
    );
    this.#pending.push({ contactId, at: Date.parse(record.timestamp), record: safe });
    if (this.#pending.length >= maxPending) this.flush();
    else this.#timer ??= clock.setTimer(() => this.flush(), flushMs);
  }
}
