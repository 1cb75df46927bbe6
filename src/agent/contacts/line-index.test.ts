import { describe, expect, it } from 'vitest';
import { countLineBreaks, LineIndex } from './line-index.ts';

describe('LineIndex', () => {
  it('counts LF, CRLF and lone CR as one line break each', () => {
    expect(countLineBreaks('a\nb\r\nc\rd')).toBe(3);
    expect(countLineBreaks('no break')).toBe(0);
  });

  it('maps byte offsets to lines', () => {
    const index = new LineIndex(Buffer.from('ab\r\ncd\n\nef'));
    expect(index.lineCount).toBe(4);
    expect([0, 2, 3, 4, 6, 7, 8, 9].map((at) => index.lineAt(at))).toEqual([
      1, 1, 1, 2, 2, 3, 4, 4,
    ]);
    expect(index.isBlank(3)).toBe(true);
    expect(index.isBlank(2)).toBe(false);
  });

  it('finds the last line of a record from its end, delimiter excluded', () => {
    const index = new LineIndex(Buffer.from('a,b\r\nc,d\ne'));
    expect(index.lastLineBefore(5)).toBe(1);
    expect(index.lastLineBefore(9)).toBe(2);
    expect(index.lastLineBefore(10)).toBe(3);
  });

  it('treats a byte order mark as blank', () => {
    const index = new LineIndex(Buffer.from('\uFEFF\nx'));
    expect(index.isBlank(1)).toBe(true);
  });

  it('finds the first line that is not UTF-8, whatever the line breaks', () => {
    const bytes = (text: string) => Buffer.from(text, 'latin1');
    expect(new LineIndex(Buffer.from('\uFEFFa\r\né\n😀')).firstLineNotUtf8()).toBeUndefined();
    expect(new LineIndex(bytes('a\r\nb\rc\xe9\nd\xe9')).firstLineNotUtf8()).toBe(3);
    expect(new LineIndex(bytes('ok\n\xf0\x9f\x98')).firstLineNotUtf8()).toBe(2);
  });
});
