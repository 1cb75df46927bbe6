import { isSupportedCountry } from 'libphonenumber-js/max';
// Straight from its file: the barrel would load the SQLite backend just to parse a CSV.
import { phoneContactId } from '../../queue/contact-id.ts';
import { maskPhoneLike, maskPhoneNumber } from '../../redaction/redact.ts';
import {
  atLine,
  parseContactsDefaults,
  rowError,
  type ContactRow,
  type ContactsImport,
  type ParseContactsOptions,
  type RowError,
} from './contact-row.ts';
import { ContactsFileError } from './contacts-file-error.ts';
import { LineIndex } from './line-index.ts';
import { normalizePhone } from './normalize-phone.ts';
import { readCsvRecords, type CsvRecord } from './read-csv-records.ts';

const REQUIRED = ['name', 'phone'] as const;
const OPTIONAL = ['id', 'company', 'notes', 'language'] as const;
type Column = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

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
  if (!isSupportedCountry(defaultRegion)) {
    throw new RangeError(
      `unknown default region "${defaultRegion}": expected a region code such as US, GB or DE (ISO 3166-1)`,
    );
  }
  if (typeof input !== 'string') refuseUnlessUtf8(input, fileName);
  const { records, problems } = readCsvRecords(input);
  const [header, ...rows] = records;
  const columns = readHeader(header, problems[0]?.firstLine, fileName);

  const errors: RowError[] = problems.map(({ firstLine, lastLine, reason }) => {
    const span = lastLine > firstLine ? `; lines ${firstLine}-${lastLine} not read` : '';
    return rowError(fileName, firstLine, `malformed CSV (${reason}${span})`);
  });
  const contacts: ContactRow[] = [];
  const idSeen = new Map<string, number>();
  const phoneSeen = new Map<string, number>();
  for (const row of rows) {
    const value = (column: Column): string => {
      const at = columns.get(column);
      return at === undefined ? '' : (row.fields[at] ?? '').trim();
    };
    if (row.fields.every((field) => field.trim() === '')) continue;
    const checked = checkRow(value, defaultRegion, idSeen, phoneSeen);
    if (typeof checked === 'string') {
      errors.push(rowError(fileName, row.firstLine, checked));
      continue;
    }
    const optional = (column: Column): string | undefined => value(column) || undefined;
    const id = value('id') || phoneContactId(checked.phone);
    contacts.push({
      id,
      name: value('name'),
      phone: checked.phone,
      company: optional('company'),
      notes: optional('notes'),
      language: optional('language'),
      line: row.firstLine,
    });
    if (value('id') !== '') idSeen.set(id, row.firstLine);
    phoneSeen.set(checked.phone, row.firstLine);
  }
  errors.sort((a, b) => a.line - b.line);
  return { contacts, errors };
}

/** The reason a row is left out, or its normalized phone. First failing check wins. */
function checkRow(
  value: (column: Column) => string,
  region: NonNullable<ParseContactsOptions['defaultRegion']>,
  idSeen: ReadonlyMap<string, number>,
  phoneSeen: ReadonlyMap<string, number>,
): string | { phone: string } {
  if (value('name') === '') return 'missing name';
  const raw = value('phone');
  if (raw === '') return 'missing phone';
  const phone = normalizePhone(raw, region);
  if (phone === undefined) return `invalid phone number ${maskPhoneLike(raw)}`;
  const id = value('id');
  const idLine = id === '' ? undefined : idSeen.get(id);
  if (idLine !== undefined) return `duplicate id "${id}" (first seen on line ${idLine})`;
  const phoneLine = phoneSeen.get(phone);
  if (phoneLine !== undefined) {
    return `duplicate phone ${maskPhoneNumber(phone)} (first seen on line ${phoneLine})`;
  }
  return { phone };
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
): Map<Column, number> {
  const where = fileName ?? 'contacts CSV';
  if (header === undefined || (firstProblemLine ?? Infinity) < header.firstLine) {
    throw new ContactsFileError(
      header === undefined && firstProblemLine === undefined
        ? `${where} is empty: a header row with the columns name and phone is required`
        : `${where} has no readable header row (malformed CSV on line ${firstProblemLine})`,
    );
  }
  const columns = new Map<Column, number>();
  const names = header.fields.map((field) => field.trim().toLowerCase());
  for (const column of [...REQUIRED, ...OPTIONAL]) {
    const at = names.indexOf(column);
    if (at >= 0) columns.set(column, at);
  }
  const missing = REQUIRED.filter((column) => !columns.has(column));
  if (missing.length > 0) {
    const list = missing.map((column) => `"${column}"`).join(' and ');
    const expected = `name, phone and optionally ${OPTIONAL.join(', ')}`;
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
