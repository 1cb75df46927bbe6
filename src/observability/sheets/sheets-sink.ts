import { processOutput } from '../../redaction/output.ts';
import {
  createServicePolicy,
  isServiceError,
  systemClock,
  type Clock,
  type ServicePolicy,
  type TimerHandle,
} from '../../resilience/index.ts';
import type { LogSink } from '../logger.ts';
import type { LogLevel, LogRecord } from '../log-record.ts';
import { eventIdColumnRange, toSheetRow, type SheetValue } from './sheet-row.ts';
import { count } from '../../text/count.ts';
import { SpillFile } from './spill-file.ts';

/** The two calls the sink makes (SheetsClient implements them). */
export interface SheetsAppender {
  append(range: string, rows: SheetValue[][], signal: AbortSignal): Promise<void>;
  readColumn(range: string, signal: AbortSignal): Promise<string[]>;
}

export interface SheetsSinkOptions {
  client: SheetsAppender;
  /** JSON-lines file where rows wait while Sheets cannot take them. */
  spillPath: string;
  /** Append range; its ninth column holds the event_id. */
  range?: string;
  clock?: Clock;
  /** Rows go out in one append at most this often. */
  flushIntervalMs?: number;
  /** Rows per append. */
  maxBatchRows?: number;
  /** Rows held in memory; past this they go straight to the spill file. */
  maxBufferRows?: number;
  /** With only spilled rows waiting, a replay is tried this often. */
  replayIntervalMs?: number;
  /** The policy appends run through (default: `sheetsPolicy(clock)`). */
  policy?: ServicePolicy;
  /** Where the sink reports its own trouble. Not the logger that feeds it. */
  log?: (level: LogLevel, message: string) => void;
}

export const sheetsSinkDefaults = {
  range: 'Logs!A:I',
  clock: systemClock as Clock,
  flushIntervalMs: 1_000,
  maxBatchRows: 500,
  maxBufferRows: 5_000,
  replayIntervalMs: 15_000,
  log: (level: LogLevel, message: string): void => processOutput.err(`${level} sheets: ${message}`),
};

/**
 * The sink's own protection: retry 429/5xx/network errors 3 times with full-jitter backoff
 * from 1 s, a breaker that opens after 3 failed flushes for 30 s, 15 s per attempt.
 */
export function sheetsPolicy(clock: Clock = systemClock): ServicePolicy {
  return createServicePolicy(
    'GoogleSheets',
    {
      retry: { max_retries: 3, initial_delay: 1, backoff_factor: 2, max_delay: 30, budget: false },
      circuit_breaker: { failure_threshold: 3, recovery_timeout: 30 },
      timeout: { attempt: 15, total: 90 },
    },
    { clock },
  );
}

export interface SheetsSinkStats {
  buffered: number;
  appended: number;
  spilled: number;
  replayed: number;
  /** Rows found already in the sheet after an ambiguous failure, and not sent again. */
  skippedDuplicates: number;
  /** Rows neither sent nor spilled (the spill file could not be written). */
  lost: number;
}

/** An error after which the rows certainly did not reach the sheet (4xx, refused, no token). */
function certainlyNotApplied(error: unknown): boolean {
  if (!isServiceError(error)) return false;
  if (error.status !== undefined && error.status >= 400 && error.status < 500) return true;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(error.providerCode ?? '');
}

/**
 * Appends log records to a Google Sheet, batched (one append per `flushIntervalMs` at most),
 * through its own ServicePolicy. `write` is synchronous and never throws: rows past the
 * buffer bound, or in a batch that failed for good (breaker open, retries exhausted), go to
 * a local spill file and are replayed after a later successful append. Appends are not
 * idempotent, so a batch whose append may have landed (timeout, 5xx, reset) is resent only
 * after reading the sheet's event_id column and dropping the rows already there.
 */
export class SheetsSink implements LogSink {
  readonly policy: ServicePolicy;
  readonly #options: Omit<Required<SheetsSinkOptions>, 'policy'>;
  readonly #spill: SpillFile;
  readonly #idRange: string;
  #buffer: LogRecord[] = [];
  #spillHasRows: boolean;
  #timer: { handle: TimerHandle; due: number } | undefined;
  #flushing: Promise<void> | undefined;
  #closed = false;
  /** Aborts the appends in flight when the close's grace is over. */
  readonly #stopping = new AbortController();
  readonly #stats = { appended: 0, spilled: 0, replayed: 0, skippedDuplicates: 0, lost: 0 };

  constructor(options: SheetsSinkOptions) {
    this.#options = { ...sheetsSinkDefaults, ...options };
    this.policy = options.policy ?? sheetsPolicy(this.#options.clock);
    this.#spill = new SpillFile(options.spillPath);
    this.#idRange = eventIdColumnRange(this.#options.range);
    this.#spillHasRows = this.#spill.hasRows;
    this.#schedule();
  }

  get stats(): SheetsSinkStats {
    return { ...this.#stats, buffered: this.#buffer.length };
  }

  write(record: LogRecord): void {
    try {
      if (this.#closed || this.#buffer.length >= this.#options.maxBufferRows) {
        this.#toSpill([record]);
        return;
      }
      this.#buffer.push(record);
      this.#schedule();
    } catch (error) {
      this.#report('ERROR', `write failed: ${String(error)}`);
    }
  }

  /** Sends what is buffered, then replays the spill file. Resolves when done; never rejects. */
  flush(): Promise<void> {
    this.#timer?.handle.clear();
    this.#timer = undefined;
    this.#flushing ??= this.#run()
      .catch((error: unknown) => this.#report('ERROR', `flush failed: ${String(error)}`))
      .finally(() => {
        this.#flushing = undefined;
        this.#schedule();
      });
    return this.#flushing;
  }

  /** Resolves when no flush is in flight. */
  async idle(): Promise<void> {
    while (this.#flushing) await this.#flushing;
  }

  /**
   * Flushes once more, then sends nothing further: later rows go to the spill file. When
   * `signal` aborts (the shutdown's grace is over) the append in flight is abandoned and its
   * rows, like every row not sent, stay in the spill file for the next run.
   */
  async close(signal?: AbortSignal): Promise<void> {
    const stop = (): void => this.#stopping.abort(signal?.reason);
    if (signal?.aborted) stop();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await this.idle();
      if (this.#buffer.length > 0 && !this.#stopping.signal.aborted) await this.flush();
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    this.#closed = true;
    this.#timer?.handle.clear();
    this.#timer = undefined;
    this.#toSpill(this.#buffer.splice(0));
  }

  #schedule(): void {
    if (this.#closed || this.#flushing) return;
    const { clock, flushIntervalMs, replayIntervalMs } = this.#options;
    let delay: number | undefined;
    if (this.#buffer.length > 0) delay = flushIntervalMs;
    else if (this.#spillHasRows) delay = replayIntervalMs;
    if (delay === undefined) return;
    const due = clock.now() + delay;
    if (this.#timer && this.#timer.due <= due) return;
    this.#timer?.handle.clear();
    this.#timer = {
      due,
      handle: clock.setTimer(() => {
        this.#timer = undefined;
        void this.flush();
      }, delay),
    };
  }

  async #run(): Promise<void> {
    const batch = this.#buffer.splice(0, this.#options.maxBatchRows);
    if (batch.length > 0) {
      if (!(await this.#send(batch, false))) {
        this.#toSpill(batch);
        return;
      }
      this.#stats.appended += batch.length;
    }
    await this.#replay();
  }

  /**
   * Replays spilled rows, oldest first, until the file is empty or a send fails. A spill file
   * that cannot be read or cut (a full disk) stops the replay: the rows stay in it, and as
   * every replay first reads the sheet's event_id column, none is appended twice later.
   */
  async #replay(): Promise<void> {
    while (this.#spillHasRows && !this.#closed && !this.#stopping.signal.aborted) {
      try {
        const chunk = this.#spill.read(this.#options.maxBatchRows);
        if (chunk.corrupt > 0) {
          this.#report('WARNING', `${count(chunk.corrupt, 'torn spill line')} dropped`);
        }
        if (chunk.records.length > 0 && !(await this.#send(chunk.records, true))) return;
        this.#spill.drop(chunk.bytes);
        this.#stats.replayed += chunk.records.length;
        this.#spillHasRows = this.#spill.hasRows;
      } catch (error) {
        this.#report(
          'ERROR',
          `spill file ${this.#spill.path} cannot be replayed now: ${String(error)}`,
        );
        return;
      }
    }
  }

  /**
   * Appends `records` through the policy; true when they are in the sheet. `inDoubt` means
   * some may already be there: the event_id column is read first and those are skipped.
   */
  async #send(records: LogRecord[], inDoubt: boolean): Promise<boolean> {
    const { client, range } = this.#options;
    const state = { inDoubt };
    try {
      await this.policy.execute(
        async ({ signal }) => {
          let rows = records;
          if (state.inDoubt) {
            const present = new Set(await client.readColumn(this.#idRange, signal));
            rows = records.filter((record) => !present.has(record.event_id));
            this.#stats.skippedDuplicates += records.length - rows.length;
            state.inDoubt = false;
            if (rows.length === 0) return;
          }
          state.inDoubt = true;
          try {
            await client.append(range, rows.map(toSheetRow), signal);
            state.inDoubt = false;
          } catch (error) {
            if (certainlyNotApplied(error)) state.inDoubt = false;
            throw error;
          }
        },
        { signal: this.#stopping.signal },
      );
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#report(
        'WARNING',
        `${count(records.length, 'row')} not appended, kept in the spill file: ${message}`,
      );
      return false;
    }
  }

  #toSpill(records: LogRecord[]): void {
    if (records.length === 0) return;
    try {
      this.#spill.append(records);
      this.#stats.spilled += records.length;
      this.#spillHasRows = true;
    } catch (error) {
      this.#stats.lost += records.length;
      this.#report(
        'ERROR',
        `${count(records.length, 'row')} lost: spill file not writable (${String(error)})`,
      );
    }
  }

  #report(level: LogLevel, message: string): void {
    try {
      this.#options.log(level, message);
    } catch {
      // reporting must never break the sink
    }
  }
}
