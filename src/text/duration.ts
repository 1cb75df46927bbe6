/** `40 ms`, `2 s`, `1.5 s`: a delay as a person reads it (ms under a second). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}

/** Ends `text` with a period unless it already ends a sentence (`.`, `!`, `?`). */
export function asSentence(text: string): string {
  return /[.!?]$/.test(text.trimEnd()) ? text.trimEnd() : `${text}.`;
}
