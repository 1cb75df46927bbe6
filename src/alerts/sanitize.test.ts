import { describe, expect, it } from 'vitest';
import { createSanitizer } from './sanitize.ts';

describe('createSanitizer', () => {
  it('masks phone numbers, given secrets and credential shapes', () => {
    const sanitize = createSanitizer(['hunter2-secret']);
    expect(sanitize('call to +14155550123 failed')).toBe('call to +1415***0123 failed');
    expect(sanitize('To=%2B14155550123')).toBe('To=%2B1415***0123');
    expect(sanitize('pw hunter2-secret')).toBe('pw [REDACTED]');
    expect(sanitize('GET /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe')).toBe(
      'GET /bot[REDACTED]/getMe',
    );
    expect(sanitize('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [REDACTED]');
    expect(sanitize('key sk-abcdefghijk')).toBe('key sk-[REDACTED]');
    expect(sanitize('smtp://me:pa55word@mail:25')).toBe('smtp://me:[REDACTED]@mail:25');
  });

  it('leaves ordinary text alone', () => {
    const text =
      'Circuit OPEN (failure_threshold): 503 after 3 retries at 2026-01-29T18:17:19.000Z';
    expect(createSanitizer()(text)).toBe(text);
  });
});
