/** Small pieces of the text the queue commands print. */

import { plainText, type Coloured } from '../redaction/printable.ts';

/** A time to the second, in UTC: `2026-05-01T12:00:05Z`. */
export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stretch of time, rounded as a person says it: `4 s`, `3 min`, `2 h`. */
export function span(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  return seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}

/** How far `at` is from `now`: `in 4 s`, `in 3 min`, `in 2 h`, `2 h ago`. */
function relative(at: number, now: number): string {
  return at >= now ? `in ${span(at - now)}` : `${span(at - now)} ago`;
}

/** `2026-05-01T12:00:05Z (in 4 s)`; a due time already past reads `(due now)`. */
export function when(at: number, now: number, { due = false } = {}): string {
  const past = due && at <= now;
  return `${isoSeconds(at)} (${past ? 'due now' : relative(at, now)})`;
}

/** A cell of a table: text, or a word in colour (a circuit state). */
export type Cell = string | Coloured;

const textOf = (cell: Cell): string => (typeof cell === 'string' ? cell : cell.text);

/** The widest a cell is shown; `--json` gives the whole value. */
const MAX_CELL = 80;

/**
 * A cell on one line and of a bounded width: a line break shows as `\n` (a name cannot fake a
 * row), and a long value is cut with `…` (one huge cell does not widen every row).
 */
function oneLine(cell: Cell): Cell {
  if (typeof cell !== 'string') return cell;
  const flat = cell.replace(/\r\n|\r|\n/g, '\\n');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

/**
 * Rows as aligned columns, two spaces apart; the columns listed in `right` are aligned right.
 * The last column is not padded. Coloured cells keep their colour (see `table` for text). Each
 * cell is shown on one line, cut at 80 characters.
 */
export function colouredTable(
  cells: readonly (readonly Cell[])[],
  right: readonly number[] = [],
): Array<string | Coloured> {
  const rows = cells.map((row) => row.map(oneLine));
  const widths =
    rows[0]?.map((_, c) => Math.max(...rows.map((row) => textOf(row[c] ?? '').length))) ?? [];
  return rows.flatMap((row, r) => {
    const parts: Cell[] = [];
    row.forEach((cell, c) => {
      const pad = ' '.repeat(widths[c]! - textOf(cell).length);
      if (c > 0) parts.push('  ');
      if (right.includes(c)) parts.push(pad, cell);
      else parts.push(cell, c === row.length - 1 ? '' : pad);
    });
    trimEnd(parts);
    return r === 0 ? parts : ['\n', ...parts];
  });
}

/** Takes the blanks off the end of a row (an empty last column leaves some). */
function trimEnd(parts: Cell[]): void {
  for (let last = parts.at(-1); typeof last === 'string'; last = parts.at(-1)) {
    const trimmed = last.trimEnd();
    if (trimmed !== '') {
      parts[parts.length - 1] = trimmed;
      return;
    }
    parts.pop();
  }
}

/** `colouredTable` as plain text. */
export function table(rows: readonly string[][], right: readonly number[] = []): string {
  return plainText(colouredTable(rows, right));
}
