import { parse, type CsvError } from 'csv-parse/sync';
import { countLineBreaks, LineIndex } from './line-index.ts';

/** A record with the lines it spans in the file. */
export interface CsvRecord {
  fields: string[];
  firstLine: number;
  lastLine: number;
}

/** Lines that could not be read as CSV (a stray or unclosed quote). */
export interface CsvProblem {
  firstLine: number;
  lastLine: number;
  reason: string;
}

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after a closing quote',
  CSV_INVALID_CLOSING_QUOTE: 'text after a closing quote',
  INVALID_OPENING_QUOTE: 'a quote inside an unquoted field',
};

/**
 * Reads every record of a CSV file with the lines it spans, counted on the file's own bytes
 * (csv-parse's `info.lines` counts a CRLF inside a quoted field twice). Blank lines are skipped.
 * csv-parse does not always resume cleanly after malformed quoting, so every non-blank line
 * that no record accounts for is reported as a problem: nothing is dropped silently.
 */
export function readCsvRecords(input: string | Uint8Array): {
  records: CsvRecord[];
  problems: CsvProblem[];
} {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const lines = new LineIndex(bytes);
  const records: CsvRecord[] = [];
  // Why csv-parse skipped something, by the index of the record it came before.
  const reasons = new Map<number, string>();
  parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_record: (fields: string[], context) => {
      const lastLine = lines.lastLineBefore(context.bytes);
      const inside = fields.reduce((sum, field) => sum + countLineBreaks(field), 0);
      records.push({ fields, firstLine: lastLine - inside, lastLine });
      return null;
    },
    on_skip: (error: CsvError | undefined) => {
      const code = error?.code ?? 'unknown';
      if (!reasons.has(records.length)) reasons.set(records.length, REASONS[code] ?? code);
      return undefined;
    },
  });
  return { records, problems: unreadRegions(lines, records, reasons) };
}

/** Groups the non-blank lines outside every record, one region between two records. */
function unreadRegions(
  lines: LineIndex,
  records: CsvRecord[],
  reasons: Map<number, string>,
): CsvProblem[] {
  const problems: CsvProblem[] = [];
  let line = 1;
  for (let r = 0; r <= records.length; r++) {
    const next = records[r];
    const end = next === undefined ? lines.lineCount : next.firstLine - 1;
    let first: number | undefined;
    let last = 0;
    for (; line <= end; line++) {
      if (lines.isBlank(line)) continue;
      first ??= line;
      last = line;
    }
    if (first !== undefined) {
      const reason = reasons.get(r) ?? 'unreadable';
      problems.push({ firstLine: first, lastLine: last, reason });
    }
    if (next !== undefined) line = next.lastLine + 1;
  }
  return problems;
}
