import type { CountryCode } from 'libphonenumber-js/max';
import type { QueuedContactData } from '../../queue/index.ts';

/** A valid contact read from the file; `id` is derived from the phone when the row had none. */
export interface ContactRow extends QueuedContactData {
  /** The file line the row starts on (the header is line 1). */
  line: number;
}

/** A row that was left out, and why. */
export interface RowError {
  /** The file line the row starts on. */
  line: number;
  /** `invalid phone number "12345"`, `missing name` … */
  message: string;
  /** `contacts.csv:3: invalid phone number "12345"`, or `line 3: …` without a file name. */
  formatted: string;
}

export interface ContactsImport {
  contacts: ContactRow[];
  errors: RowError[];
}

export interface ParseContactsOptions {
  /** Names the file in messages (`contacts.csv:3: …`). */
  fileName?: string | undefined;
  /** Region assumed for numbers written without `+country`. */
  defaultRegion?: CountryCode;
}

export const parseContactsDefaults = {
  defaultRegion: 'US',
} as const satisfies ParseContactsOptions;

/** Formats a message about `line` the way every contacts error reads. */
export function atLine(fileName: string | undefined, line: number, message: string): string {
  return fileName === undefined ? `line ${line}: ${message}` : `${fileName}:${line}: ${message}`;
}

/** A RowError about `line`. */
export function rowError(fileName: string | undefined, line: number, message: string): RowError {
  return { line, message, formatted: atLine(fileName, line, message) };
}
