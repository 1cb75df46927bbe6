import { header, type ResponseHeaders } from './headers.ts';

/**
 * Parses a `Retry-After` value (delta-seconds or an HTTP date) into milliseconds from `now`;
 * undefined when absent or invalid (a negative number is invalid, not "now").
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

/** The wait an answer asks for: `retry-after-ms` (sent by some APIs), else `Retry-After`. */
export function retryAfterFromHeaders(headers: ResponseHeaders, now: number): number | undefined {
  const ms = header(headers, 'retry-after-ms');
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  return parseRetryAfter(header(headers, 'retry-after'), now);
}
