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
}

export interface OutputOptions extends RedactorOptions {
  /** Values to mask wherever they appear (`secretsFromEnv(process.env)`). */
  secrets?: ReadonlyArray<string | undefined>;
  stdout?: TextStream;
  stderr?: TextStream;
  /**
   * Bytes a stream may hold for a slow reader before lines are dropped (and counted, and the
   * count written once it drains). Writes to files, pipes and terminals are synchronous on
   * Linux, so this only bites where they are not (pipes on macOS).
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
}

/** Builds the program's writer; `processOutput` is the one without configured secrets. */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const redact = createRedactor(options.secrets ?? [], options);
  const maxPending = options.maxPendingBytes ?? outputDefaults.maxPendingBytes;
  const safe = (text: string, keepLineBreaks: boolean): string =>
    escapeControlCharacters(redact(text), { keepLineBreaks });
  const dropped = new Map<TextStream, number>();
  const write = (stream: TextStream, text: string): void => {
    try {
      if ((stream.writableLength ?? 0) > maxPending) {
        dropped.set(stream, (dropped.get(stream) ?? 0) + 1);
        return;
      }
      const lost = dropped.get(stream);
      if (lost !== undefined) {
        dropped.delete(stream);
        stream.write(
          `call-agent: ${count(lost, 'line')} dropped: the output was not read fast enough\n`,
        );
      }
      stream.write(text);
    } catch {
      // a closed pipe (EPIPE) must not take the program down with it
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
  };
}

/**
 * The writer library code falls back on (the logger's default destination, the default
 * logs of the Sheets sink and the alert manager): patterns and phone numbers only.
 */
export const processOutput: Output = createOutput();
