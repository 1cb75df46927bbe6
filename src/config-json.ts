/** Marks, for one parse, a number literal too large for a double. */
const MARK = '\u0000json-number:';
/** JSON strings (skipped whole, so digits inside them are left alone) and numbers. */
const TOKEN = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;

/**
 * `JSON.parse`, keeping what a number too large for a double (`1e309`) looked like: it is
 * ±Infinity in the value, as with `JSON.parse`, and its text is in `literals` under its dotted
 * path (`retry.initial_delay`), so a message can show what was written instead of `null`.
 * Throws JSON.parse's own SyntaxError for text that is not JSON.
 */
export function parseConfigJson(text: string): {
  value: unknown;
  literals: ReadonlyMap<string, string>;
} {
  const marked = text.replace(TOKEN, (token) =>
    token.startsWith('"') || Number.isFinite(Number(token)) ? token : JSON.stringify(MARK + token),
  );
  let value: unknown;
  try {
    value = JSON.parse(marked);
  } catch {
    JSON.parse(text); // the error as it reads on the text that was written
    throw new SyntaxError('not valid JSON');
  }
  const literals = new Map<string, string>();
  const restore = (node: unknown, path: readonly string[]): unknown => {
    if (typeof node === 'string' && node.startsWith(MARK)) {
      const literal = node.slice(MARK.length);
      literals.set(path.join('.'), literal);
      return Number(literal);
    }
    if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      for (const [key, inner] of Object.entries(record)) {
        const restored = restore(inner, [...path, key]);
        if (restored !== inner) record[key] = restored;
      }
    }
    return node;
  };
  return { value: restore(value, []), literals };
}
