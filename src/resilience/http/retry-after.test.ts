import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterFromHeaders } from './retry-after.ts';

const NOW = Date.UTC(2026, 0, 29, 18, 17, 0);

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['1.5', 1500],
    ['0', 0],
    [new Date(NOW + 45_000).toUTCString(), 45_000],
    [new Date(NOW - 5_000).toUTCString(), 0],
  ])('%s → %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([undefined, null, '', 'soon', '-3'])('%s → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('retryAfterFromHeaders', () => {
  it('prefers retry-after-ms to Retry-After, in Headers or a record of any case', () => {
    expect(
      retryAfterFromHeaders(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }), NOW),
    ).toBe(250);
    expect(retryAfterFromHeaders({ 'Retry-After': '3' }, NOW)).toBe(3000);
    expect(retryAfterFromHeaders({ 'retry-after': ['4'] }, NOW)).toBe(4000);
    expect(retryAfterFromHeaders({}, NOW)).toBeUndefined();
  });
});
