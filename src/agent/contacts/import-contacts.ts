import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CallQueue, EnqueueConflict, EnqueueResult } from '../../queue/index.ts';
import { isPhoneContactId, phoneContactId } from '../../queue/contact-id.ts';
import { maskPhoneNumber } from '../../redaction/redact.ts';
import {
  rowError,
  type ContactRow,
  type ContactsImport,
  type ParseContactsOptions,
  type RowError,
} from './contact-row.ts';
import { ContactsFileError } from './contacts-file-error.ts';
import { parseContactsCsv } from './parse-contacts-csv.ts';
import { parseContactsJson } from './parse-contacts-json.ts';

/** A file to read, CSV text already in hand, or contacts as JSON items (a request's array). */
export type ContactsSource =
  { path: string } | { text: string | Uint8Array } | { items: readonly unknown[] };

export interface ImportContactsOptions extends ParseContactsOptions {
  /**
   * When given, the valid contacts are enqueued: those already queued are counted, and a row
   * whose number is queued under another id (or whose id is queued with another number) is
   * reported in `errors`.
   */
  queue?: Pick<CallQueue, 'enqueue'> | undefined;
}

export interface ImportedContacts extends ContactsImport {
  /** What the queue did with the contacts; undefined without a queue. */
  enqueued: EnqueueResult | undefined;
}

/**
 * Reads a contacts CSV (see `parseContactsCsv`), or JSON items (see `parseContactsJson`), and,
 * given a queue, enqueues the valid rows.
 * For a path, `fileName` defaults to the file's base name. Throws ContactsFileError, and
 * enqueues nothing, when the file cannot be read, is not UTF-8 or has no usable header; bad
 * rows, and rows the queue refused, are only reported (in `errors`).
 */
export async function importContacts(
  source: ContactsSource,
  options: ImportContactsOptions = {},
): Promise<ImportedContacts> {
  const { queue, ...parseOptions } = options;
  if ('path' in source) parseOptions.fileName ??= basename(source.path);
  const parsed =
    'items' in source
      ? parseContactsJson(source.items, parseOptions)
      : parseContactsCsv(
          'path' in source ? await readContactsFile(source.path) : source.text,
          parseOptions,
        );
  return enqueueParsed(parsed, queue, parseOptions);
}

async function readContactsFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ContactsFileError(`cannot read contacts file: ${reason}`, { cause: error });
  }
}

/** Enqueues the valid contacts, if there is a queue; the rows it refused join the errors. */
async function enqueueParsed(
  parsed: ContactsImport,
  queue: ImportContactsOptions['queue'],
  parseOptions: ParseContactsOptions,
): Promise<ImportedContacts> {
  if (queue === undefined) return { ...parsed, enqueued: undefined };
  const enqueued = await queue.enqueue(parsed.contacts);
  const refused = enqueued.conflicts.map((conflict) =>
    refusedRow(conflict, parsed.contacts[conflict.index]!, parseOptions.fileName),
  );
  const errors = [...parsed.errors, ...refused].sort((a, b) => a.line - b.line);
  return { ...parsed, errors, enqueued };
}

/** A row the queue refused: its number or its id is queued already. Phones are masked. */
function refusedRow(
  conflict: EnqueueConflict,
  row: ContactRow,
  fileName: string | undefined,
): RowError {
  const message =
    conflict.reason === 'id_taken'
      ? `id "${conflict.id}" is already queued with another number`
      : `${maskPhoneNumber(row.phone)} already queued as ${maskedContactId(conflict.existingId)}`;
  return rowError(fileName, row.line, message);
}

/** An id as it may be printed: one derived from a phone number shows it masked. */
export function maskedContactId(id: string): string {
  return isPhoneContactId(id) ? phoneContactId(maskPhoneNumber(id)) : id;
}
