import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { CallQueue, EnqueueResult } from '../../queue/index.ts';
import type { ContactsImport, ParseContactsOptions } from './contact-row.ts';
import { ContactsFileError } from './contacts-file-error.ts';
import { parseContactsCsv } from './parse-contacts-csv.ts';

/** A file to read, or CSV text already in hand. */
export type ContactsSource = { path: string } | { text: string };

export interface ImportContactsOptions extends ParseContactsOptions {
  /** When given, the valid contacts are enqueued (duplicates of queued ones are counted). */
  queue?: Pick<CallQueue, 'enqueue'> | undefined;
}

export interface ImportedContacts extends ContactsImport {
  /** What the queue did with the contacts; undefined without a queue. */
  enqueued: EnqueueResult | undefined;
}

/**
 * Reads a contacts CSV (see `parseContactsCsv`) and, given a queue, enqueues the valid rows.
 * For a path, `fileName` defaults to the file's base name. Throws ContactsFileError when the
 * file cannot be read or has no usable header; bad rows are only reported.
 */
export async function importContacts(
  source: ContactsSource,
  options: ImportContactsOptions = {},
): Promise<ImportedContacts> {
  const { queue, ...parseOptions } = options;
  let input: string | Uint8Array;
  if ('path' in source) {
    parseOptions.fileName ??= basename(source.path);
    try {
      input = await readFile(source.path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ContactsFileError(`cannot read contacts file: ${reason}`, { cause: error });
    }
  } else {
    input = source.text;
  }
  const parsed = parseContactsCsv(input, parseOptions);
  const enqueued = queue === undefined ? undefined : await queue.enqueue(parsed.contacts);
  return { ...parsed, enqueued };
}
