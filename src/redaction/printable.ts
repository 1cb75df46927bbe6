/**
 * What the program prints: plain text, or parts of which some words are coloured (a level,
 * a circuit state). Only the writer (output.ts) turns a colour into an ANSI sequence, after it
 * has redacted and escaped the part's text, and only on a terminal that takes colour.
 */
export type Colour = 'red' | 'yellow' | 'green';

/** A word the program wrote itself, to be shown in `colour`. */
export interface Coloured {
  readonly text: string;
  readonly colour: Colour;
}

export type Printable = string | ReadonlyArray<string | Coloured>;

export const coloured = (text: string, colour: Colour): Coloured => ({ text, colour });

/** The text without its colours. */
export function plainText(text: Printable): string {
  if (typeof text === 'string') return text;
  return text.map((part) => (typeof part === 'string' ? part : part.text)).join('');
}

/** Parts with the plain runs joined (so the redactor sees them whole) and empty ones left out. */
export function mergeParts(text: Printable): Array<string | Coloured> {
  if (typeof text === 'string') return text === '' ? [] : [text];
  const merged: Array<string | Coloured> = [];
  for (const part of text) {
    const last = merged[merged.length - 1];
    if (typeof part !== 'string') merged.push(part);
    else if (typeof last === 'string') merged[merged.length - 1] = last + part;
    else if (part !== '') merged.push(part);
  }
  return merged;
}
