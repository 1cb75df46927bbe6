import { styleText } from 'node:util';
import type { Colour } from './printable.ts';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether text for `stream` gets colours: `FORCE_COLOR` forces them (`0` or `false`: never),
 * otherwise none when `NO_COLOR` is set (any non-empty value), when `TERM` is `dumb`, or when
 * the stream is not a terminal.
 */
export function wantsColour(stream: { readonly isTTY?: boolean | undefined }, env: Env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return stream.isTTY === true;
}

/** `text` in `colour` (the caller decided that the stream takes colour). */
export function paint(colour: Colour, text: string): string {
  return styleText(colour, text, { validateStream: false });
}
