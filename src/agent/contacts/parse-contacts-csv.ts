import {
  atLine,
  parseContactsDefaults,
  rowError,
  type ContactRow,
  type ContactsImport,
  type ParseContactsOptions,
  type RowError,
} from './contact-row.ts';
import {
  assertRegion,
  ContactRules,
  OPTIONAL_FIELDS,
  REQUIRED_FIELDS,
  type ContactField,
} from './contact-rules.ts';
import { ContactsFileError } from './contacts-file-error.ts';
import { LineIndex } from './line-index.ts';
import { readCsvRecords, type CsvRecord } from './read-csv-records.ts';

/**
 * Reads contacts from CSV text (or the file's bytes). A header row naming at least `name` and
 * `phone` is required; `id`, `company`, `notes`, `language` are optional, other columns are
 * ignored. Phones are normalized to E.164. A bad row never throws: it is reported in `errors`
 * with its line and the other rows proceed. A row without an id gets `phone:<E.164>`.
 * Throws ContactsFileError when the bytes are not UTF-8 or there is no usable header row.
 */
export function parseContactsCsv(
  input: string | Uint8Array,
  options: ParseContactsOptions = {},
): ContactsImport {
  const { fileName, defaultRegion } = { ...parseContactsDefaults, ...options };
  assertRegion(defaultRegion);
  if (typeof input !== 'string') refuseUnlessUtf8(input, fileName);
  const { records, problems } = readCsvRecords(input);
  const [header, ...rows] = records;
  const columns = readHeader(header, problems[0]?.firstLine, fileName);

  const errors: RowError[] = problems.map(({ firstLine, lastLine, reason }) => {
    const span = lastLine > firstLine ? `; lines ${firstLine}-${lastLine} not read` : '';
    return rowError(fileName, firstLine, `malformed CSV (${reason}${span})`);
  });
  const contacts: ContactRow[] = [];
  const rules = new ContactRules(defaultRegion);
  for (const row of rows) {
    const value = (column: ContactField): string => {
      const at = columns.get(column);
      return at === undefined ? '' : (row.fields[at] ?? '').trim();
    };
    if (row.fields.every((field) => field.trim() === '')) continue;
    const checked = rules.check(value, row.firstLine);
    if (typeof checked === 'string') errors.push(rowError(fileName, row.firstLine, checked));
    else contacts.push(checked);
  }
  errors.sort((a, b) => a.line - b.line);
  return { contacts, errors };
}

/** Throws ContactsFileError naming the first line that is not UTF-8. */
function refuseUnlessUtf8(bytes: Uint8Array, fileName: string | undefined): void {
  const line = new LineIndex(bytes).firstLineNotUtf8();
  if (line === undefined) return;
  throw new ContactsFileError(
    atLine(
      fileName,
      line,
      'not valid UTF-8: the file is saved in another encoding (Latin-1 or Windows-1252?), ' +
        'and its accented letters would be garbled; save it as UTF-8 ' +
        '(Excel: "CSV UTF-8 (Comma delimited)") and import it again',
    ),
  );
}

/** Column positions by lower-cased name; throws when the header is unusable. */
function readHeader(
  header: CsvRecord | undefined,
  firstProblemLine: number | undefined,
  fileName: string | undefined,
): Map<ContactField, number> {
  const where = fileName ?? 'contacts CSV';
  if (header === undefined || (firstProblemLine ?? Infinity) < header.firstLine) {
    throw new ContactsFileError(
      header === undefined && firstProblemLine === undefined
        ? `${where} is empty: a header row with the columns name and phone is required`
        : `${where} has no readable header row (malformed CSV on line ${firstProblemLine})`,
    );
  }
  const columns = new Map<ContactField, number>();
  const names = header.fields.map((field) => field.trim().toLowerCase());
  for (const column of [...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]) {
    const at = names.indexOf(column);
    if (at >= 0) columns.set(column, at);
  }
  const missing = REQUIRED_FIELDS.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    const list = missing.map((column) => `"${column}"`).join(' and ');
    const expected = `name, phone and optionally ${OPTIONAL_FIELDS.join(', ')}`;
    throw new ContactsFileError(
      atLine(
        fileName,
        header.firstLine,
        `the header row has no ${list} column (the first row must name the columns: ${expected})`,
      ),
    );
  }
  return columns;
}
