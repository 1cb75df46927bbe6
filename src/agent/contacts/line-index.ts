import { isUtf8 } from 'node:buffer';

const LF = 0x0a;
const CR = 0x0d;

/** Line breaks in `text`: `\r\n`, `\n` and a lone `\r` count one each. */
export function countLineBreaks(text: string): number {
  let breaks = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) breaks++;
  }
  return breaks;
}

/** Maps byte offsets of a file to its 1-based line numbers, the way an editor counts them. */
export class LineIndex {
  /** Byte offset where each line starts; line n starts at starts[n - 1]. */
  readonly #starts: number[] = [0];
  readonly #bytes: Uint8Array;
  /** Where the text starts, past a UTF-8 byte order mark. */
  readonly #textStart: number;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    this.#textStart = bom ? 3 : 0;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === LF || (c === CR && bytes[i + 1] !== LF)) this.#starts.push(i + 1);
    }
  }

  get lineCount(): number {
    return this.#starts.length;
  }

  /** The line holding the byte at `offset`. */
  lineAt(offset: number): number {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.#starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  /** Whether the line holds nothing but whitespace. */
  isBlank(line: number): boolean {
    const end = this.#starts[line] ?? this.#bytes.length;
    for (let i = Math.max(this.#starts[line - 1]!, this.#textStart); i < end; i++) {
      const c = this.#bytes[i]!;
      if (c !== LF && c !== CR && c !== 0x20 && c !== 0x09) return false;
    }
    return true;
  }

  /**
   * The first line that is not valid UTF-8, or undefined when the whole text is. (A line break
   * byte never occurs inside a UTF-8 sequence, so each line can be checked alone.)
   */
  firstLineNotUtf8(): number | undefined {
    if (isUtf8(this.#bytes)) return undefined;
    for (let line = 1; line <= this.#starts.length; line++) {
      const end = this.#starts[line] ?? this.#bytes.length;
      if (!isUtf8(this.#bytes.subarray(this.#starts[line - 1], end))) return line;
    }
    return undefined;
  }

  /**
   * The last line of a record that ends (record delimiter included) just before `end`: the
   * line of its last byte that is not the delimiter.
   */
  lastLineBefore(end: number): number {
    let last = end - 1;
    if (this.#bytes[last] === LF) last--;
    if (this.#bytes[last] === CR) last--;
    return this.lineAt(Math.max(0, last));
  }
}
