import { describe, expect, it } from 'vitest';
import { maskPhone, redactText, sanitizeError, shortText } from './redact.ts';

describe('redaction', () => {
  it('masks a phone number as +1415***0123', () => {
    expect(maskPhone('+14155550123')).toBe('+1415***0123');
    expect(redactText('call +14155550123 now')).toBe('call +1415***0123 now');
  });

  it('removes the given secrets and key-like words', () => {
    const text = redactText(
      'key tok_ABCD1234 auth Bearer eyJhbGciOi.abc sk-proj-xyz987 bot123456:AAE-abcdefghijklmnopqrstuvwxyz012345',
      ['tok_ABCD1234'],
    );
    expect(text).not.toMatch(/tok_ABCD1234|eyJhbGciOi|xyz987|AAE-abcdef/);
    expect(text).toContain('Bearer [REDACTED]');
  });

  it('shortText keeps one line and cuts it', () => {
    expect(shortText('first line\nsecond', [], 100)).toBe('first line');
    expect(shortText('x'.repeat(300), [], 20)).toHaveLength(20);
  });

  it('sanitizeError keeps name and code, redacts the message and the cause', () => {
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
