import type { Campaign } from '../agent/campaign.ts';
import { observe, toLogRecord, type LogRecord, type Logger } from '../observability/index.ts';
import type { ContactEvent, ContactHistory } from '../queue/index.ts';
import { redactStrings, type Redactor } from '../redaction/redact.ts';
import { describeError, type Clock, type Disposer, type TimerHandle } from '../resilience/index.ts';
import { toLoggedEvent } from './agent-log-lines.ts';

export interface HistoryRecorderOptions {
  clock: Clock;
  /** Applied to every string of a record before it is stored. */
  redact: Redactor;
  /** Events are written together, this long after the first of them. */
  flushMs?: number;
  /** Written at once when this many wait. */
  maxPending?: number;
  /**
   * `dispose` waits this long at most for the last writes (a queue that does not answer: they
   * fail when its connection closes, and are told to `onError`).
   */
  disposeGraceMs?: number;
  /** A write that failed (the events it held are not kept). */
  onError: (error: unknown) => void;
}

export const historyRecorderDefaults = { flushMs: 250, maxPending: 500, disposeGraceMs: 2_000 };

/**
 * Keeps each contact's history: every engine and agent event about a contact (its calls, their
 * retries and failures, its deferrals and its end) as its log record, redacted, written to the
 * queue (its SQLite file, or the fleet's Redis) in batches, one write after the other. Unlike
 * the log, it leaves nothing out (the log says "Circuit OPEN. Skipping call." for the first few
 * contacts of an outage only). A write that fails is told to `onError`, never thrown: the
 * history is not worth stopping a call for.
 */
export class ContactHistoryRecorder {
  readonly #history: Pick<ContactHistory, 'append'>;
  readonly #options: typeof historyRecorderDefaults & HistoryRecorderOptions;
  readonly #disposers: Disposer[] = [];
  #pending: ContactEvent[] = [];
  #timer: TimerHandle | undefined;
  /** The writes so far, in order: settles once the last has. */
  #written: Promise<void> = Promise.resolve();

  constructor(
    campaign: Campaign,
    history: Pick<ContactHistory, 'append'>,
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

  /** Writes what waits; resolves once it and every earlier write is done (or failed). */
  flush(): Promise<void> {
    this.#timer?.clear();
    this.#timer = undefined;
    const events = this.#pending;
    this.#pending = [];
    if (events.length > 0) {
      this.#written = this.#written
        .then(() => this.#history.append(events))
        .catch((error: unknown) => this.#options.onError(error));
    }
    return this.#written;
  }

  /** Stops recording; resolves once what waits is written, or after `disposeGraceMs`. */
  async dispose(): Promise<void> {
    for (const dispose of this.#disposers.splice(0)) dispose();
    const grace = new AbortController();
    const { clock, disposeGraceMs } = this.#options;
    await Promise.race([
      this.flush(),
      clock.sleep(disposeGraceMs, grace.signal).catch(() => undefined),
    ]);
    grace.abort();
  }

  #add(record: LogRecord): void {
    const contactId = record.contact_id;
    if (contactId === undefined) return;
    const { redact, clock, flushMs, maxPending } = this.#options;
    const { event_id: _id, contact_id: _contact, ...kept } = record;
    const safe = redactStrings(kept, redact);
    this.#pending.push({ contactId, at: Date.parse(record.timestamp), record: safe });
    if (this.#pending.length >= maxPending) void this.flush();
    else this.#timer ??= clock.setTimer(() => void this.flush(), flushMs);
  }
}

/** Records `campaign`'s contact events into `history`; a write that fails is logged as an error. */
export function recordContactHistory(
  campaign: Campaign,
  history: Pick<ContactHistory, 'append'>,
  logger: Logger,
  clock: Clock,
): ContactHistoryRecorder {
  return new ContactHistoryRecorder(campaign, history, {
    clock,
    redact: logger.redact,
    onError: (error) =>
      logger.log('ERROR', `contact history not written: ${describeError(error).message}`, {
        event: 'history_error',
      }),
  });
}
