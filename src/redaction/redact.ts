/**
 * One redactor for every layer: what must never leave the process in a log line, an alert or
 * an error message. A leaf module: it imports nothing, and any layer may import it.
 */
/** Masks secrets and phone numbers in a piece of text. */
export type Redactor = (text: string) => string;

const REDACTED = '[REDACTED]';

/** Patterns of things that are secret whatever their value; replacements keep the label. */
const SECRET_PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
    '[REDACTED PRIVATE KEY]',
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  // A JWT, also cut short (an error body echoing a signed assertion, truncated).
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
  // OpenAI keys, also as OpenAI echoes them half-masked (`sk-****…0001`).
  [/\bsk-[A-Za-z0-9_*-]{6,}/g, `sk-${REDACTED}`],
  [/\bya29\.[A-Za-z0-9._-]+/g, `ya29.${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, `whsec_${REDACTED}`],
  // A Telegram bot token, in a URL path or alone.
  [/(\/|\b)bot\d+:[A-Za-z0-9_-]+/g, `$1bot${REDACTED}`],
  [/\b\d{6,12}:[A-Za-z0-9_-]{30,}/g, REDACTED],
  // The password in a URL's user info (smtp://user:pass@host).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+):[^\s@/]+@/gi, `$1:${REDACTED}@`],
  // key=value and "key": "value" for keys that name a secret.
  [
    /\b(xi-api-key|x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|auth[_-]?token|client[_-]?secret|token|password|passwd|secret|assertion)(["']?\s*[:=]\s*["']?)(?!\[REDACTED)[^\s"'&,;}]+/gi,
    `$1$2${REDACTED}`,
  ],
];

/**
 * What every pattern above and PHONE below needs somewhere in the text (a superset): text
 * without any of it — most log fields — skips the patterns. Keep it in step with them.
 */
const MAY_HOLD_PATTERN =
  /\+|%2b|begin|bearer|basic|eyj|sk-|ya29\.|whsec_|bot\d|\d{6}|:\/\/|key|token|secret|pass|assertion/i;

/** E.164 numbers, also URL-encoded (`%2B`) and with spaces, dots or dashes between digits. */
const PHONE = /(\+|%2B)(\d(?:[\s().-]?\d){6,16})/gi;

/** `+14155550123` → `+1415***0123`: the country and area code and the last four digits. */
export function maskPhoneNumber(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return '***';
  return `+${digits.slice(0, 4)}***${digits.slice(-4)}`;
}

/**
 * Text that was meant to be a phone number but is not one (a bad CSV cell), for a message:
 * with 8 digits or more, every digit but the first four and the last four becomes `*`, the
 * rest of the text kept (`(415) 555-01234` → `(415) 5**-*1234`); past 24 characters it is cut
 * to 12, every digit after the fourth masked, and its length given.
 */
export function maskPhoneLike(raw: string): string {
  const cut = raw.length > 24;
  const shown = cut ? raw.slice(0, 12) : raw;
  const digits = shown.replace(/\D/g, '').length;
  const keepTail = cut ? 0 : 4;
  let seen = 0;
  const masked =
    digits < 8 && !cut
      ? shown
      : shown.replace(/\d/g, (digit) => {
          seen += 1;
          return seen <= 4 || seen > digits - keepTail ? digit : '*';
        });
  return cut ? `"${masked}…" (${raw.length} characters)` : `"${masked}"`;
}

function maskPhones(text: string, keep: ReadonlySet<string> = NONE): string {
  return text.replace(PHONE, (match: string, prefix: string, rest: string) => {
    const digits = rest.replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15 || keep.has(digits)) return match;
    return `${prefix}${digits.slice(0, 4)}***${digits.slice(-4)}`;
  });
}

const NONE: ReadonlySet<string> = new Set();

function asText(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    return String(input);
  } catch {
    return '[unprintable]'; // e.g. an object without a prototype
  }
}

/**
 * Every secret pattern and phone mask, with no screening (the redactors screen first); the
 * numbers in `keepPhones` (digits only) are left as they are.
 */
export function maskPatterns(text: string, keepPhones: ReadonlySet<string> = NONE): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  return maskPhones(out, keepPhones);
}

export interface RedactorOptions {
  /**
   * Our own numbers, shown as they are (the caller id `TWILIO_FROM_NUMBER` is no one's
   * personal data, and an `export` line must stay usable).
   */
  keepPhones?: ReadonlyArray<string | undefined>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Builds a redactor that masks the given secret values whatever their length (and their
 * URL-encoded form; blank values are ignored), the
 * secret patterns (`Bearer …`, `sk-…`, `xi-api-key: …`, bot tokens, JWTs, URL passwords,
 * private keys) and phone numbers (`+1415***0123`).
 */
export function createRedactor(
  secrets: ReadonlyArray<string | undefined> = [],
  options: RedactorOptions = {},
): Redactor {
  const keepPhones = new Set(
    (options.keepPhones ?? []).flatMap((phone) => (phone ? [phone.replace(/\D/g, '')] : [])),
  );
  const values = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.trim() === '') continue;
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
  return (input) => {
    const text = asText(input); // a JavaScript caller may hand over anything
    const out = byValue ? text.replace(byValue, REDACTED) : text;
    return MAY_HOLD_PATTERN.test(out) ? maskPatterns(out, keepPhones) : out;
  };
}

const patternsOnly = createRedactor();

/** Masks phone numbers, secret patterns and the given secret values in `text`. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  return secrets.length === 0 ? patternsOnly(text) : createRedactor(secrets)(text);
}

/** A copy of `record` with every string field passed through `redact` (others as they are). */
export function redactStrings<T extends object>(record: T, redact: Redactor): T {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [
      key,
      typeof value === 'string' ? redact(value) : value,
    ]),
  ) as T;
}
