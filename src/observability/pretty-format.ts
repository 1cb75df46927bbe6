import { escapeControlCharacters } from '../redaction/control-characters.ts';
import { coloured, plainText, type Colour, type Coloured } from '../redaction/printable.ts';
import type { CircuitState } from '../resilience/index.ts';
import type { LogLevel, LogRecord } from './log-record.ts';

const LEVEL_COLOUR: Readonly<Record<LogLevel, Colour | undefined>> = {
  INFO: undefined,
  WARNING: 'yellow',
  ERROR: 'red',
  CRITICAL: 'red',
};

const CIRCUIT_COLOUR: Readonly<Record<CircuitState, Colour>> = {
  CLOSED: 'green',
  HALF_OPEN: 'yellow',
  OPEN: 'red',
};

/** A level as a terminal shows it: WARNING yellow, ERROR and CRITICAL red. */
export function levelText(level: LogLevel): string | Coloured {
  const colour = LEVEL_COLOUR[level];
  return colour === undefined ? level : coloured(level, colour);
}

/** A circuit state as a terminal shows it: OPEN red, HALF_OPEN yellow, CLOSED green. */
export function circuitText(state: CircuitState): Coloured {
  return coloured(state, CIRCUIT_COLOUR[state]);
}

/**
 * One readable line, its level and circuit state coloured:
 * `2026-01-29T18:17:19.000Z ERROR    ElevenLabs  503 Service Unavailable  retry_count=3 circuit=CLOSED`.
 * The parts are raw: the writer redacts and escapes each before it colours any.
 */
export function prettyParts(record: LogRecord): Array<string | Coloured> {
  const details = [
    record.retry_count === null ? undefined : [`retry_count=${record.retry_count}`],
    record.circuit_state === null ? undefined : ['circuit=', circuitText(record.circuit_state)],
    record.contact_id === undefined ? undefined : [`contact=${record.contact_id}`],
    record.error_type === undefined ? undefined : [`error=${record.error_type}`],
  ].filter((part) => part !== undefined);
  const parts: Array<string | Coloured> = [
    `${record.timestamp} `,
    levelText(record.level),
    `${' '.repeat(Math.max(0, 8 - record.level.length))} ${record.service.padEnd(11)} ${record.message}`,
  ];
  details.forEach((detail, i) => parts.push(i === 0 ? '  ' : ' ', ...detail));
  return parts;
}

/**
 * The line of `prettyParts` as plain text. Control characters in any field are shown escaped
 * (`\n`, `\x1b`): a contact id cannot forge a second line or colour the terminal.
 */
export function formatPretty(record: LogRecord): string {
  return escapeControlCharacters(plainText(prettyParts(record)));
}
