/**
 * Keeps secrets and full phone numbers out of error messages. Provider error bodies may echo
 * a key (OpenAI: "Incorrect API key provided: sk-…") or the number dialled (Twilio 21211).
 */

const MASK = '***';
/** Key- and token-like words: OpenAI keys, bearer/basic credentials, Telegram bot tokens. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\bsk-[A-Za-z0-9_*-]{3,}/g,
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bbot\d+:[A-Za-z0-9_-]+/g,
  /\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g,
];
const PHONE = /\+\d[\d\s().-]{6,18}\d/g;

/** `+14155550123` → `+1415***0123`: the first 5 and last 4 characters stay. */
export function maskPhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (compact.length <= 9) return `${compact.slice(0, 2)}${MASK}`;
  return `${compact.slice(0, 5)}${MASK}${compact.slice(-4)}`;
}

/** Removes every known secret, key-like token and full phone number from `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(MASK);
  }
  for (const pattern of TOKEN_PATTERNS) {
    result = result.replace(pattern, (match, scheme?: string) =>
      typeof scheme === 'string' && /^(bearer|basic)$/i.test(scheme)
        ? `${scheme} ${MASK}`
        : `${match.slice(0, 3)}${MASK}`,
    );
  }
  return result.replace(PHONE, maskPhone);
}

/** First line of `text`, redacted and cut to `max` characters. */
export function shortText(text: string, secrets: readonly string[] = [], max = 160): string {
  const line = redactText(text, secrets).split(/\r?\n/, 1)[0]?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A copy of `error` safe to attach as a cause: name, code and a redacted message only. */
export function sanitizeError(error: unknown, secrets: readonly string[] = []): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  if (source.cause !== undefined) copy.cause = sanitizeError(source.cause, secrets);
  return copy;
}
