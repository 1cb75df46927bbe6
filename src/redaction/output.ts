/**
 * The one writer of everything the program prints: every line goes through the redactor
 * (configured secrets of any length, secret patterns, phone numbers) and has its control
 * characters escaped; then, on a terminal that takes colour, the words the program coloured
 * get their colour. Nothing else in src/ may touch process.stdout, process.stderr or console
 * (an eslint rule enforces it).
 */
import { escapeControlCharacters } from './control-characters.ts';
import { count } from '../text/count.ts';
import { mergeParts, type Printable } from './printable.ts';
import { createRedactor, type Redactor, type RedactorOptions } from './redact.ts';
import { paint, wantsColour } from './terminal-colour.ts';

/** Where text goes: process.stdout / process.stderr, or memory in tests. */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
  /** A terminal's width in characters. */
  readonly columns?: number | undefined;
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
  /** Decides colour: `NO_COLOR`, `FORCE_COLOR`, `TERM` (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

export const outputDefaults = { maxPendingBytes: 16 * 1024 * 1024 };

/** stdout as a destination: pino writes chunks, the pretty printer lines with colours. */
export interface LineDestination {
  /** A chunk of lines, made safe as it is. */
  write(chunk: string): void;
  /** One line, as `Output.out` writes it. */
  writeLine(text: Printable): void;
}

export interface Output {
  /**
   * One line on stdout: a line break inside it is shown escaped (`\n`), so text that quotes
   * a contact or a provider can never start a line of its own.
   */
  out(text: Printable): void;
  /** One line on stderr, as `out`. */
  err(text: Printable): void;
  /** Text of several lines the program composed (a table): each line as `out` writes one. */
  outBlock(text: Printable): void;
  /** Text of several lines on stderr, as `outBlock`. */
  errBlock(text: Printable): void;
  /**
   * A line kept at the bottom of a terminal's stderr (the progress of a run), cut to the
   * terminal's width: each line printed meanwhile clears it, is written, and redraws it.
   * `undefined` takes it away. Does nothing when stderr is not a terminal.
   */
  status(text: Printable | undefined): void;
  readonly stdout: LineDestination;
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

/** Back to the start of the line, and erase it. */
const CLEAR_LINE = '\r\u001b[2K';

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
  const env = options.env ?? process.env;
  const colourOn = new Map([
    [stdout, wantsColour(stdout, env)],
    [stderr, wantsColour(stderr, env)],
  ]);
  /** Each part redacted and escaped, then coloured; cut to `width` characters when given. */
  const render = (
    text: Printable,
    stream: TextStream,
    keepLineBreaks: boolean,
    width = Infinity,
  ): string => {
    let shown = '';
    let left = width;
    for (const part of mergeParts(text)) {
      const plain = typeof part === 'string' ? part : part.text;
      const cut = safe(plain, keepLineBreaks).slice(0, Math.max(0, left));
      left -= cut.length;
      shown +=
        typeof part !== 'string' && colourOn.get(stream) && cut ? paint(part.colour, cut) : cut;
    }
    return shown;
  };
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
  const stderrIsTerminal = stderr.isTTY === true;
  // two terminals are taken to be one screen: a line on stdout goes above the status line too
  const sharesStatusLine = (stream: TextStream): boolean =>
    stream === stderr || (stream.isTTY === true && stderrIsTerminal);
  let status = ''; // as shown
  const print = (stream: TextStream, text: string): void => {
    if (status === '' || !sharesStatusLine(stream)) write(stream, text);
    else if (stream === stderr) write(stderr, `${CLEAR_LINE}${text}${status}`);
    else {
      write(stderr, CLEAR_LINE);
      write(stream, text);
      write(stderr, status);
    }
  };
  const line = (stream: TextStream, text: Printable): void =>
    print(stream, `${render(text, stream, false)}\n`);
  const block = (stream: TextStream, text: Printable): void =>
    print(stream, `${render(text, stream, true)}\n`);
  return {
    out: (text) => line(stdout, text),
    err: (text) => line(stderr, text),
    outBlock: (text) => block(stdout, text),
    errBlock: (text) => block(stderr, text),
    status: (text) => {
      if (!stderrIsTerminal) return;
      const columns = stderr.columns ?? 0;
      // one character short of the width: a full line would wrap the cursor onto the next
      const shown =
        text === undefined ? '' : render(text, stderr, false, columns > 1 ? columns - 1 : Infinity);
      if (shown === status) return;
      status = shown;
      write(stderr, `${CLEAR_LINE}${shown}`);
    },
    stdout: {
      write: (chunk) => print(stdout, safe(chunk, true)),
      writeLine: (text) => line(stdout, text),
    },
    stdoutIsTerminal: stdout.isTTY === true,
    stderrIsTerminal,
    redact,
    reportDropped,
  };
}

/**
 * The writer library code falls back on (the logger's default destination, the default
 * logs of the Sheets sink and the alert manager): patterns and phone numbers only.
 */
export const processOutput: Output = createOutput();
