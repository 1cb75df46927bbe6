import { randomUUID } from 'node:crypto';
import { pino, type DestinationStream } from 'pino';
import { systemClock, type Clock, type Disposer } from '../resilience/index.ts';
import { toLogRecord } from './log-line.ts';
import { LOG_LEVELS, type LogLevel, type LogRecord, type ObservedEvent } from './log-record.ts';
import { formatPretty, prettyParts } from './pretty-format.ts';
import { escapeControlCharacters } from '../redaction/control-characters.ts';
import { processOutput, type LineDestination } from '../redaction/output.ts';
import { createRedactor, redactStrings, type Redactor } from '../redaction/redact.ts';

/** Receives every record the logger writes, already redacted (e.g. the Google Sheets sink). */
export interface LogSink {
  /** Synchronous; must not throw. */
  write(record: LogRecord): void;
}

export interface LoggerOptions {
  /** `json`: one JSON object per line, the seed's keys; `pretty`: one readable line. */
  format?: 'json' | 'pretty';
  /**
   * Where lines go (default: stdout through the program's writer, which colours the pretty
   * lines' levels and circuit states on a terminal). Tests pass memory.
   */
  destination?: DestinationStream | LineDestination;
  /** Timestamps free-form lines (event lines carry their event's time). */
  clock?: Clock;
  /** Lines below this level are dropped. */
  level?: LogLevel;
  /** Lines below this level are not printed; the sinks still get them (default: `level`). */
  printLevel?: LogLevel;
  /** Secret values to mask wherever they appear (API keys, tokens, passwords). */
  secrets?: ReadonlyArray<string | undefined>;
  sinks?: readonly LogSink[];
  /** Makes `event_id`s (default: random UUIDs). */
  newId?: () => string;
}

export const loggerDefaults = {
  format: 'json' as 'json' | 'pretty',
  level: 'INFO' as LogLevel,
  clock: systemClock,
  newId: randomUUID as () => string,
};

/** Fields of a free-form line. */
export interface LineFields {
  service?: string | undefined;
  event?: string | undefined;
  contact_id?: string | undefined;
  error_type?: string | undefined;
  retry_count?: number | null | undefined;
}

export interface Logger {
  /** Maps an engine or agent event to its line and writes it. */
  event(observed: ObservedEvent): void;
  /** Writes a free-form line, timestamped by the logger's clock. */
  log(level: LogLevel, message: string, fields?: LineFields): void;
  /** Writes the stack of a bug in the agent, once per place in the code. */
  bug(service: string, stack: string | undefined, fields?: LineFields): void;
  /** Writes a ready record: redacts it, prints it and hands it to every sink. Never throws. */
  write(record: LogRecord): void;
  /** Adds a sink; the disposer removes it. */
  addSink(sink: LogSink): Disposer;
  /** Whether a line of `level` is printed (not only handed to the sinks). */
  prints(level: LogLevel): boolean;
  /** The redactor applied to every string field. */
  readonly redact: Redactor;
}

/** Remembers the last `capacity` keys it was shown: `first` is true for a key not among them. */
class SeenOnce {
  readonly #seen = new Set<string>();
  constructor(readonly capacity: number) {}

  first(key: string): boolean {
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    if (this.#seen.size > this.capacity) this.#seen.delete(this.#seen.values().next().value!);
    return true;
  }
}

/** Seed level → pino's method, so pino's level numbers order the seed's levels. */
const pinoMethod = {
  INFO: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
} as const satisfies Record<LogLevel, string>;

const seedLevel: Readonly<Record<string, LogLevel>> = {
  info: 'INFO',
  warn: 'WARNING',
  error: 'ERROR',
  fatal: 'CRITICAL',
};

/**
 * Builds the JSON (pino) or pretty writer of one record. Either way a line is one line: the
 * pretty format escapes control characters in every field; in a JSON line, those JSON leaves
 * raw (C1 controls, U+2028, bidi overrides) are written as `\u…` escapes.
 */
function printer(
  format: 'json' | 'pretty',
  destination: DestinationStream | LineDestination = processOutput.stdout,
): (record: LogRecord) => void {
  if (format === 'pretty') {
    return 'writeLine' in destination
      ? (record) => destination.writeLine(prettyParts(record))
      : (record) => destination.write(`${formatPretty(record)}\n`);
  }
  const logger = pino(
    {
      base: null,
      timestamp: false,
      messageKey: 'message',
      level: 'info',
      formatters: { level: (label) => ({ level: seedLevel[label] ?? label.toUpperCase() }) },
    },
    {
      write: (chunk: string) =>
        destination.write(escapeControlCharacters(chunk, { keepLineBreaks: true })),
    },
  );
  return (record) => {
    const { level, ...fields } = record;
    logger[pinoMethod[level]](fields);
  };
}

/**
 * A logger that writes the seed's structured lines. Every string field is redacted
 * (secrets, `Bearer …`, phone numbers → `+1415***0123`) before it is printed or handed to a
 * sink.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { format, level, clock, newId } = { ...loggerDefaults, ...options };
  const minimum = LOG_LEVELS.indexOf(level);
  const printed = LOG_LEVELS.indexOf(options.printLevel ?? level);
  const redact = createRedactor(options.secrets ?? []);
  const print = printer(format, options.destination);
  let sinks: readonly LogSink[] = [...(options.sinks ?? [])];
  const bugs = new SeenOnce(100);
  /** Writes the stack of a bug once per place (the same bug reached another way is the same). */
  const bug = (
    service: string,
    stack: string | undefined,
    base: Pick<LogRecord, 'timestamp' | 'service' | 'retry_count' | 'circuit_state' | 'contact_id'>,
  ): void => {
    if (stack === undefined || !bugs.first(stack.split('\n', 2).join('\n'))) return;
    write({
      ...base,
      level: 'ERROR',
      message: `A bug in the agent, not a failure of ${service} (printed once): ${stack}`,
      event: 'programming_error',
      event_id: newId(),
    });
  };

  const write = (record: LogRecord): void => {
    const rank = LOG_LEVELS.indexOf(record.level);
    if (rank < minimum) return;
    let safe: LogRecord;
    try {
      safe = redactStrings(record, redact);
      if (rank >= printed) print(safe);
    } catch {
      return;
    }
    for (const sink of sinks) {
      try {
        sink.write(safe);
      } catch {
        // A sink's failure is its own business: it never reaches the caller.
      }
    }
  };

  return {
    redact,
    write,
    prints: (lineLevel) => LOG_LEVELS.indexOf(lineLevel) >= Math.max(minimum, printed),
    event: (observed) => {
      const record = toLogRecord(observed, newId);
      write(record);
      if (observed.type === 'call_failed') bug(record.service, observed.event.error.stack, record);
    },
    bug: (service, stack, fields = {}) =>
      bug(service, stack, {
        timestamp: new Date(clock.now()).toISOString(),
        service,
        retry_count: null,
        circuit_state: null,
        contact_id: fields.contact_id,
      }),
    log: (lineLevel, message, fields = {}) =>
      write({
        timestamp: new Date(clock.now()).toISOString(),
        level: lineLevel,
        service: fields.service ?? 'call-agent',
        message,
        retry_count: fields.retry_count ?? null,
        circuit_state: null,
        event: fields.event ?? 'log',
        contact_id: fields.contact_id,
        error_type: fields.error_type,
        event_id: newId(),
      }),
    addSink: (sink) => {
      sinks = [...sinks, sink];
      return () => {
        sinks = sinks.filter((s) => s !== sink);
      };
    },
  };
}
