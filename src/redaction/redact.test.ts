import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createRedactor, maskPatterns, maskPhoneNumber, redact } from './redact.ts';

describe('redact', () => {
  it('masks phone numbers as +1415***0123, also URL-encoded and spaced', () => {
    expect(maskPhoneNumber('+14155550123')).toBe('+1415***0123');
    expect(redact('calling +14155550123 now')).toBe('calling +1415***0123 now');
    expect(redact('To=%2B14155550123&From=x')).toBe('To=%2B1415***0123&From=x');
    expect(redact('+44 20 7946 0958')).toBe('+4420***0958');
  });

  it('leaves times, ids and short numbers alone', () => {
    const text = '2026-01-29T18:17:19.000Z took 1769710639000 ms, +1 retry, code 21211';
    expect(redact(text)).toBe(text);
  });

  it('masks known secret values, raw and URL-encoded', () => {
    const r = createRedactor(['123456:ABC-secret/token', undefined]);
    expect(r('url /x/123456:ABC-secret/token/y')).not.toContain('ABC-secret');
    expect(r(`q=${encodeURIComponent('123456:ABC-secret/token')}`)).toBe('q=[REDACTED]');
  });

  it('masks a configured secret whatever its length, and ignores an empty one', () => {
    const r = createRedactor(['k3y5!', 'ab', '', '  ']);
    expect(r('key k3y5! and ab')).toBe('key [REDACTED] and [REDACTED]');
    expect(r('plain text')).toBe('plain text');
  });

  it('masks secret patterns whatever their value', () => {
    const cases: Array<[string, string]> = [
      ['Authorization: Bearer ya29.a0AfH6SMB', 'Bearer'],
      ['key sk-proj-abcdefghijkl', 'sk-proj-abcdefghijkl'],
      ['{"xi-api-key":"0123456789abcdef"}', '0123456789abcdef'],
      ['xi-api-key: 0123456789abcdef', '0123456789abcdef'],
      [
        'POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage',
        'AAHdqTcv',
      ],
      ['smtp://alerts:hunter2pass@mail.example.com:587', 'hunter2pass'],
      ['secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'MfKQ9r8GKYqr'],
      ['assertion=eyJhbGciOi.eyJpc3MiOi.c2lnbmF0dXJl', 'eyJpc3MiOi'],
      ['Invalid JWT Signature: eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJsb2dn', 'eyJpc3MiOiJsb2dn'],
      ['-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----', 'MIIEv'],
    ];
    for (const [text, secret] of cases) {
      const out = redact(text);
      if (secret === 'Bearer') expect(out).toBe('Authorization: Bearer [REDACTED]');
      else expect(out, text).not.toContain(secret);
    }
  });
});

describe('the screen before the patterns', () => {
  const fragments = [
    'Bearer ',
    'basic ',
    'sk-',
    'abcdefgh',
    '123456',
    '42',
    ':',
    '/',
    '//',
    'smtp://u:p@h',
    '+1415',
    '5550123',
    '%2B',
    '%2b',
    'eyJ',
    '.',
    'ya29.',
    'whsec_',
    'bot',
    'Token',
    '=',
    '"',
    ' ',
    '-',
    '-----BEGIN PRIVATE KEY-----',
    '-----END PRIVATE KEY-----',
    'API_KEY',
    'Passwd',
    'SECRET',
    'assertion',
    'Call successful for Contact-1',
    '2026-01-29T18:17:19Z',
  ];
  it('never changes what the patterns would mask', () => {
    const masked = createRedactor();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(masked(text)).toBe(maskPatterns(text));
      }),
      { numRuns: 3_000 },
    );
  });
});

describe('input that is not text', () => {
  it('is turned into text, never thrown on', () => {
    const masked = createRedactor(['sk-secret-value']);
    expect(masked(undefined as unknown as string)).toBe('undefined');
    expect(masked(14155550123 as unknown as string)).toBe('14155550123');
    expect(masked(Object.create(null) as string)).toBe('[unprintable]');
  });
});
