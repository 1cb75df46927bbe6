import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './retry-after.ts';

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
