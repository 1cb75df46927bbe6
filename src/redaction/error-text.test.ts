import { describe, expect, it } from 'vitest';
import { sanitizeError, shortText } from './error-text.ts';

describe('shortText', () => {
  it('keeps one line, redacted, and cuts it', () => {
    expect(shortText('first line\nsecond', [], 100)).toBe('first line');
    expect(shortText('x'.repeat(300), [], 20)).toHaveLength(20);
    expect(shortText('key tok_ABCD1234 for +14155550123', ['tok_ABCD1234'])).toBe(
      'key [REDACTED] for +1415***0123',
    );
  });
});

describe('sanitizeError', () => {
  it('keeps name and code, redacts the message and the cause', () => {
    const raw = new TypeError('failed for s3cr3t-value', {
      cause: Object.assign(new Error('inner s3cr3t-value'), { code: 'E_X' }),
    });
    const copy = sanitizeError(raw, ['s3cr3t-value']);
    expect(copy.name).toBe('TypeError');
    expect(copy.message).toBe('failed for [REDACTED]');
    expect((copy.cause as Error).message).toBe('inner [REDACTED]');
    expect((copy.cause as { code?: string }).code).toBe('E_X');
  });
});
