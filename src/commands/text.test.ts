import { describe, expect, it } from 'vitest';
import { coloured, plainText } from '../redaction/printable.ts';
import { colouredTable, span, table } from './text.ts';

describe('table', () => {
  it('aligns columns two spaces apart, the `right` ones to the right, with no trailing blanks', () => {
    expect(
      table(
        [
          ['id', 'n', 'reason'],
          ['c-1', '12', ''],
          ['c-22', '3', 'Twilio: 400'],
        ],
        [1],
      ),
    ).toBe('id     n  reason\nc-1   12\nc-22   3  Twilio: 400');
  });

  it('pads a coloured cell by its text and keeps its colour', () => {
    const parts = colouredTable(
      [
        ['service', 'circuit'],
        ['Twilio', coloured('OPEN', 'red')],
      ],
      [1],
    );
    expect(plainText(parts)).toBe('service  circuit\nTwilio      OPEN');
    expect(parts.filter((part) => typeof part !== 'string')).toEqual([coloured('OPEN', 'red')]);
  });
});

describe('span', () => {
  it('rounds as a person says it', () => {
    expect([span(4_400), span(119_000), span(150_000), span(7_300_000)]).toEqual([
      '4 s',
      '119 s',
      '3 min',
      '2 h',
    ]);
  });
});

describe('a table of odd cells', () => {
  it('shows a line break in a cell as \\n, so a value cannot fake a row', () => {
    expect(
      table([
        ['id', 'name'],
        ['c1', 'New\nLine\r\nFake row'],
      ]),
    ).toBe('id  name\nc1  New\\nLine\\nFake row');
  });

  it('cuts a huge cell at 80 characters, so one value does not widen every row', () => {
    const text = table([
      ['id', 'name', 'state'],
      ['c1', 'x'.repeat(200_000), 'done'],
      ['c2', 'Ann', 'done'],
    ]);
    const lines = text.split('\n');
    expect(lines[1]).toBe(`c1  ${'x'.repeat(79)}…  done`);
    expect(lines.every((line) => line.length <= 2 + 2 + 80 + 2 + 5)).toBe(true);
  });
});
