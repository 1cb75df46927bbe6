/** Small pieces of the text the queue commands print. */

/** A time to the second, in UTC: `2026-05-01T12:00:05Z`. */
export function isoSeconds(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** How far `at` is from `now`: `in 4 s`, `in 3 min`, `in 2 h`, `2 h ago`. */
function relative(at: number, now: number): string {
  const seconds = Math.round(Math.abs(at - now) / 1000);
  const span =
    seconds < 120
      ? `${seconds} s`
      : seconds < 7200
        ? `${Math.round(seconds / 60)} min`
        : `${Math.round(seconds / 3600)} h`;
  return at >= now ? `in ${span}` : `${span} ago`;
}

/** `2026-05-01T12:00:05Z (in 4 s)`; a due time already past reads `(due now)`. */
export function when(at: number, now: number, { due = false } = {}): string {
  const past = due && at <= now;
  return `${isoSeconds(at)} (${past ? 'due now' : relative(at, now)})`;
}

/**
 * Rows as aligned columns, two spaces apart; the columns listed in `right` are aligned right.
 * The last column is not padded.
 */
export function table(rows: readonly string[][], right: readonly number[] = []): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, c) => {
          if (right.includes(c)) return cell.padStart(widths[c]!);
          return c === row.length - 1 ? cell : cell.padEnd(widths[c]!);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
