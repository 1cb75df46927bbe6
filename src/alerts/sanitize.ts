/**
 * Masks what must never leave the process in an alert or a log line: phone numbers
 * (`+14155550123` → `+1415***0123`), the given secret values (raw and URL-encoded) and the
 * usual credential shapes (`Bearer …`, `sk-…`, Telegram bot tokens, URL passwords).
 */
export type Sanitizer = (text: string) => string;

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [/\bsk-[A-Za-z0-9_-]{6,}/g, 'sk-[REDACTED]'],
  [/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[REDACTED]'],
  [/\b\d{6,12}:[A-Za-z0-9_-]{30,}/g, '[REDACTED]'],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_[REDACTED]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, '$1:[REDACTED]@'],
  [
    /\b(xi-api-key|api[_-]?key|token|password|secret)(["']?\s*[:=]\s*["']?)(?!\[REDACTED)[^\s"'&,;}]+/gi,
    '$1$2[REDACTED]',
  ],
];

const PHONE = /(\+|%2B)(\d(?:[\s().-]?\d){6,16})/gi;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Builds a sanitizer for these secret values (values shorter than 6 characters are ignored). */
export function createSanitizer(secrets: ReadonlyArray<string | undefined> = []): Sanitizer {
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 6) continue;
    values.add(secret);
    values.add(encodeURIComponent(secret));
  }
  const byValue =
    values.size === 0
      ? undefined
      : new RegExp(
          [...values]
            .sort((a, b) => b.length - a.length)
            .map(escapeRegExp)
            .join('|'),
          'g',
        );
  return (text) => {
    let out = byValue ? text.replace(byValue, '[REDACTED]') : text;
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out.replace(PHONE, (match: string, prefix: string, rest: string) => {
      const digits = rest.replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15) return match;
      return `${prefix}${digits.slice(0, 4)}***${digits.slice(-4)}`;
    });
  };
}
