/**
 * The one writer of everything the program prints: every line goes through the redactor
 * (configured secrets of any length, secret patterns, phone numbers) and has its control
 * characters escaped. Nothing else in src/ may touch process.stdout, process.stderr or
 * console (an eslint rule enforces it).
 */
import { escapeControlCharacters } from './control-characters.ts';
import { createRedactor, type Redactor } from './redact.ts';

/** Where text goes: process.stdout / process.stderr, or memory in tests. */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

export interface OutputOptions {
  /** Values to mask wherever they appear (`secretsFromEnv(process.env)`). */
  secrets?: ReadonlyArray<string | undefined>;
  stdout?: TextStream;
  stderr?: TextStream;
}

export interface Output {
  /** A line (or several) on stdout: results, log lines. */
  out(text: string): void;
  /** A line (or several) on stderr: messages for the person at the terminal. */
  err(text: string): void;
  /** stdout as a destination stream (pino, the pretty printer): each chunk is made safe. */
  readonly stdout: { write(chunk: string): void };
  /** Whether stdout is a terminal (readable log lines then). */
  readonly stdoutIsTerminal: boolean;
  readonly redact: Redactor;
}

/** Builds the program's writer; `processOutput` is the one without configured secrets. */
export function createOutput(options: OutputOptions = {}): Output {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const redact = createRedactor(options.secrets ?? []);
  const write = (stream: TextStream, text: string): void => {
    try {
      stream.write(escapeControlCharacters(redact(text), { keepLineBreaks: true }));
    } catch {
      // a closed pipe (EPIPE) must not take the program down with it
    }
  };
  return {
    out: (text) => write(stdout, `${text}\n`),
    err: (text) => write(stderr, `${text}\n`),
    stdout: { write: (chunk) => write(stdout, chunk) },
    stdoutIsTerminal: stdout.isTTY === true,
    redact,
  };
}

/**
 * The writer library code falls back on (the logger's default destination, the default
 * logs of the Sheets sink and the alert manager): patterns and phone numbers only.
 */
export const processOutput: Output = createOutput();
