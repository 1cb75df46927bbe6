import { describe, expect, it } from 'vitest';
import { openAiRateLimitReset, parseDuration } from './retry-after.ts';

describe('parseDuration (OpenAI x-ratelimit-reset-*)', () => {
  it.each([
    ['6m0s', 360_000],
    ['1s', 1000],
    ['20ms', 20],
    ['1h2m3.5s', 3_723_500],
    ['0.5s', 500],
    ['7m12.345s', 432_345],
  ])('%s → %d ms', (value, expected) => {
    expect(parseDuration(value)).toBe(expected);
  });

  it.each([undefined, '', 'abc', '5'])('%s → undefined', (value) => {
    expect(parseDuration(value)).toBeUndefined();
  });
});

describe('OpenAI rate-limit hints', () => {
  it('OpenAI resets: the longest when no limit is marked exhausted', () => {
    expect(
      openAiRateLimitReset({
        'x-ratelimit-reset-requests': '1s',
        'x-ratelimit-reset-tokens': '20ms',
      }),
    ).toBe(1000);
    expect(openAiRateLimitReset({})).toBeUndefined();
  });
});
