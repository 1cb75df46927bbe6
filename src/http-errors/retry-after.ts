/**
 * Parses a `Retry-After` value (delta-seconds or an HTTP date) into milliseconds from `now`;
 * undefined when absent or invalid (a negative number is invalid, not "now"). The one parser
 * for the providers and our own channels.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined; // Date.parse('-3') is a year
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
