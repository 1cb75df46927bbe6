import { describe, expect, it } from 'vitest';
import type { LogRecord } from './log-record.ts';
import { formatPretty, prettyParts } from './pretty-format.ts';

const FORGED = 'a\n2026-01-01T00:00:00.000Z CRITICAL Twilio      Account suspended';
const RED = '\u001b[31mred\u001b[0m';

const line = (fields: Partial<LogRecord>): LogRecord => ({
  timestamp: '2026-01-29T18:17:19.000Z',
  level: 'INFO',
  service: 'OpenAI',
  message: 'Call successful',
  retry_count: 0,
  circuit_state: 'CLOSED',
  event: 'call_succeeded',
  event_id: 'evt-1',
  ...fields,
});

describe('formatPretty', () => {
  it('keeps a contact id with a newline on one line: it cannot forge a CRITICAL line', () => {
    const text = formatPretty(
      line({ contact_id: FORGED, message: `Call successful for ${FORGED}` }),
    );
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toContain('contact=a\\n2026-01-01T00:00:00.000Z CRITICAL');
  });

  it('shows ANSI escapes and other control characters escaped, in every field', () => {
    const text = formatPretty(
      line({
        service: `Open${RED}`,
        message: `for ${RED}\r\t\u0007\u009b\u2028`,
        contact_id: RED,
        error_type: `x${RED}`,
      }),
    );
    // eslint-disable-next-line no-control-regex -- looking for raw control characters
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(text).toContain('contact=\\x1b[31mred\\x1b[0m');
    expect(text).toContain('for \\x1b[31mred\\x1b[0m\\r\\t\\x07\\u009b\\u2028');
    expect(text).toContain('Open\\x1b[31m');
    expect(text).toContain('error=x\\x1b[31m');
  });

  it('leaves ordinary text, accents and other scripts alone', () => {
    const text = formatPretty(line({ contact_id: 'Zoë-Иван-李', message: 'Call successful' }));
    expect(text).toContain('contact=Zoë-Иван-李');
  });
});

describe('prettyParts', () => {
  it('colours the level (WARNING yellow, ERROR and CRITICAL red) and the circuit state', () => {
    const colours = (record: LogRecord) =>
      prettyParts(record).flatMap((part) => (typeof part === 'string' ? [] : [part]));
    expect(colours(line({ level: 'INFO', circuit_state: 'CLOSED' }))).toEqual([
      { text: 'CLOSED', colour: 'green' },
    ]);
    expect(colours(line({ level: 'WARNING', circuit_state: 'HALF_OPEN' }))).toEqual([
      { text: 'WARNING', colour: 'yellow' },
      { text: 'HALF_OPEN', colour: 'yellow' },
    ]);
    expect(colours(line({ level: 'ERROR', circuit_state: 'OPEN' }))).toEqual([
      { text: 'ERROR', colour: 'red' },
      { text: 'OPEN', colour: 'red' },
    ]);
    expect(colours(line({ level: 'CRITICAL', circuit_state: null }))).toEqual([
      { text: 'CRITICAL', colour: 'red' },
    ]);
  });

  it('reads as the plain line: the same columns, coloured or not', () => {
    expect(formatPretty(line({ level: 'ERROR', retry_count: 3, contact_id: 'c-1' }))).toBe(
      '2026-01-29T18:17:19.000Z ERROR    OpenAI      Call successful  retry_count=3 circuit=CLOSED contact=c-1',
    );
  });
});
