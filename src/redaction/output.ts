/**
 * The one writer of everything the program prints: every line goes through the redactor
 * (configured secrets of any length, secret patterns, phone numbers) and has its control
 * characters escaped. Nothing else in src/ may touch process.stdout, process.stderr or
 * console (an eslint rule enforces it).
 */
import { escapeControlCharacters } from './control-characters.ts';
import { count } from '../text/count.ts';
import { createRedactor, type Redactor, type RedactorOptions } from './redact.ts';

/** Where text goes: process.stdout / process.stderr, or memory in tests. */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  /** Bytes written but not yet taken by the reader (Node streams). */
  readonly writableLength?: number | undefined;
  /** Node streams: `drain` once the reader has taken everything. */
  once?(event: 'drain', listener: () => void): unknown;
}

export interface OutputOptions extends RedactorOptions {
  /** Values to mask wherever they appear (`secretsFromEnv(process.env)`). */
  secrets?: ReadonlyArray<string | undefined>;
  stdout?: TextStream;
  stderr?: TextStream;
  /**
   * Bytes a stream may hold for a slow reader before lines are dropped (and counted; the count
   * is told on stderr once the stream drains, or by `reportDropped`). Writes to files and
   * terminals are synchronous; a pipe or socket holds 64 KiB in the kernel, and past that
   * Node keeps what the reader has not taken in memory: this caps it.
   */
  maxPendingBytes?: number;
}

export const outputDefaults = { maxPendingBytes: 16 * 1024 * 1024 };

export interface Output {
  /**
   * One line on stdout: a line break inside it is shown escaped (`\n`), so text that quotes
   * a contact or a provider can never start a line of its own.
   */
  out(text: string): void;
  /** One line on stderr, as `out`. */
  err(text: string): void;
  /** Text of several lines the program composed (a table): each line as `out` writes one. */
  outBlock(text: string): void;
  /** Text of several lines on stderr, as `outBlock`. */
  errBlock(text: string): void;
  /** stdout as a destination stream (pino, the pretty printer): each chunk is made safe. */
  readonly stdout: { write(chunk: string): void };
  /** Whether stdout is a terminal (readable log lines then). */
  readonly stdoutIsTerminal: boolean;
  /** Whether stderr is a terminal. */
  readonly stderrIsTerminal: boolean;
  readonly redact: Redactor;
  /**
   * Tells on stderr how many lines each stream dropped that were not told yet: at the end of
   * the program, when a stream whose reader fell behind may not have drained.
   */
  reportDropped(): void;
}

/** Builds the program's writer; `processOutput` is the one without configured secrets. */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const redact = createRedactor(options.secrets ?? [], options);
  const maxPending = options.maxPendingBytes ?? outputDefaults.maxPendingBytes;
  const safe = (text: string, keepLineBreaks: boolean): string =>
    escapeControlCharacters(redact(text), { keepLineBreaks });
  const names = new Map<TextStream, string>([
    [stderr, 'stderr'],
    [stdout, 'stdout'],
  ]);
  /** Lines dropped per stream and not told yet. */
  const dropped = new Map<TextStream, number>();
  /** Streams with a `drain` listener waiting to tell their count. */
  const awaitingDrain = new Set<TextStream>();
  const notice = (stream: TextStream): string | undefined => {
    const lost = dropped.get(stream);
    if (lost === undefined) return undefined;
    dropped.delete(stream);
    const name = names.get(stream) ?? 'the output';
    return `call-agent: ${count(lost, 'line')} dropped from ${name}: it was not read fast enough\n`;
  };
  const write = (stream: TextStream, text: string): void => {
    try {
      if ((stream.writableLength ?? 0) <= maxPending) {
        stream.write(text);
        return;
      }
      dropped.set(stream, (dropped.get(stream) ?? 0) + 1);
      if (stream.once !== undefined && !awaitingDrain.has(stream)) {
        awaitingDrain.add(stream);
        stream.once('drain', () => {
          awaitingDrain.delete(stream);
          const text = notice(stream);
          if (text !== undefined) write(stderr, text);
        });
      }
    } catch {
      // a closed pipe (EPIPE) must not take the program down with it
    }
  };
  const reportDropped = (): void => {
    for (const stream of [...dropped.keys()]) {
      try {
        stderr.write(notice(stream) ?? ''); // the last word: past the cap if need be
      } catch {
        // as in write
      }
    }
  };
  return {
    out: (text) => write(stdout, `${safe(text, false)}\n`),
    err: (text) => write(stderr, `${safe(text, false)}\n`),
    outBlock: (text) => write(stdout, `${safe(text, true)}\n`),
    errBlock: (text) => write(stderr, `${safe(text, true)}\n`),
    stdout: { write: (chunk) => write(stdout, safe(chunk, true)) },
    stdoutIsTerminal: stdout.isTTY === true,
    stderrIsTerminal: stderr.isTTY === true,
    redact,
    reportDropped,
  };
}

/**
 * The writer library code falls back on (the logger's default destination, the default
 * logs of the Sheets sink and the alert manager): patterns and phone numbers only.
 */
export const processOutput: Output = createOutput();
