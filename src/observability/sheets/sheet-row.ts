import type { LogRecord } from '../log-record.ts';

/** The sheet's nine columns, A to I, in order. */
export const SHEET_COLUMNS = [
  'timestamp',
  'level',
  'service',
  'message',
  'retry_count',
  'circuit_state',
  'event',
  'contact_id',
  'event_id',
] as const;

export type SheetValue = string | number;

/** Google Sheets refuses cells longer than this. */
const MAX_CELL = 50_000;

/** A record as a row of the nine columns; absent values are empty cells. */
export function toSheetRow(record: LogRecord): SheetValue[] {
  return [
    record.timestamp,
    record.level,
    record.service,
    record.message.slice(0, MAX_CELL),
    record.retry_count ?? '',
    record.circuit_state ?? '',
    record.event,
    record.contact_id ?? '',
    record.event_id,
  ];
}

function columnIndex(letters: string): number {
  let index = 0;
  for (const letter of letters.toUpperCase()) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index;
}

function columnLetters(index: number): string {
  let letters = '';
  for (let n = index; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** The event_id column of an append range: `Logs!A:I` → `Logs!I:I`, `'My log'!C1:K` → `'My log'!K:K`. */
export function eventIdColumnRange(range: string): string {
  const bang = range.lastIndexOf('!');
  const sheet = bang >= 0 ? range.slice(0, bang + 1) : '';
  const start = /^([A-Za-z]+)/.exec(range.slice(bang + 1))?.[1];
  if (!start) throw new Error(`Sheets range ${range}: expected a range such as Logs!A:I`);
  const column = columnLetters(columnIndex(start) + SHEET_COLUMNS.indexOf('event_id'));
  return `${sheet}${column}:${column}`;
}
