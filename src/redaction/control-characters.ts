/**
 * Characters that must not reach a terminal or a log file raw: C0 and C1 controls (a newline
 * forges a log line, ESC starts an ANSI sequence), DEL, the Unicode line and paragraph
 * separators (line splitters break on them) and the bidi overrides (they reorder what is shown).
 */
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_BUT_LINE_BREAK =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */

const SHORT: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return SHORT[char] ?? `\\x${code.toString(16).padStart(2, '0')}`;
  // `\u…` for the rest: valid inside a JSON string, so a JSON line stays valid JSON.
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Shows control characters escaped (`\n`, `\x1b`, `\u2028`); with `keepLineBreaks`, `\n`
 * stays (for text of several lines). Text without them is returned as it is.
 */
export function escapeControlCharacters(
  text: string,
  options: { keepLineBreaks?: boolean } = {},
): string {
  return text.replace(options.keepLineBreaks ? CONTROL_BUT_LINE_BREAK : CONTROL, escape);
}
