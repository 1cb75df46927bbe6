/**
 * Error content made safe to carry: provider error bodies may echo a key (OpenAI: "Incorrect
 * API key provided: sk-…") or the number dialled (Twilio 21211). Built on the one redactor.
 */
import { redact } from './redact.ts';

/** First line of `text`, redacted and cut to `max` characters. */
export function shortText(text: string, secrets: readonly string[] = [], max = 160): string {
  const line = redact(text, secrets).split(/\r?\n/, 1)[0]?.trim() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A copy of `error` safe to attach as a cause: name, code and a redacted message only. */
export function sanitizeError(error: unknown, secrets: readonly string[] = []): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redact(source.message, secrets));
  copy.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(copy, { code });
  if (source.cause !== undefined) copy.cause = sanitizeError(source.cause, secrets);
  return copy;
}
