import { describe, expect, it } from 'vitest';
import { createOutput } from './output.ts';

function memory(isTTY = false): {
  text: () => string;
  isTTY: boolean;
  write(chunk: string): boolean;
} {
  let text = '';
  return {
    isTTY,
    text: () => text,
    write(chunk: string) {
      text += chunk;
      return true;
    },
  };
}

describe('createOutput', () => {
  it('writes one line each: a line break in it cannot start another line', () => {
    const stdout = memory();
    const stderr = memory();
    const output = createOutput({ stdout, stderr });
    output.out('one');
    // a CSV cell quoted in a message, forging a log line
    output.err(
      'c.csv:2: invalid phone number "12345\n2026-12-02T08:50:28Z CRITICAL Twilio forged"',
    );
    expect(stdout.text()).toBe('one\n');
    expect(stderr.text()).toBe(
      'c.csv:2: invalid phone number "12345\\n2026-12-02T08:50:28Z CRITICAL Twilio forged"\n',
    );
  });

  it('writes a block the program composed (a table) line by line', () => {
    const stderr = memory();
    const output = createOutput({ stderr, stdout: memory() });
    output.errBlock('contacts  total\n            3');
    expect(stderr.text()).toBe('contacts  total\n            3\n');
  });

  it('shows our own caller id as it is, and still masks every other number', () => {
    const stdout = memory();
    const output = createOutput({ stdout, stderr: memory(), keepPhones: ['+15005550006'] });
    output.outBlock("export TWILIO_FROM_NUMBER='+15005550006'\ncalling +14155550123");
    expect(stdout.text()).toBe("export TWILIO_FROM_NUMBER='+15005550006'\ncalling +1415***0123\n");
  });

  it('masks configured secrets of any length, secret patterns and phone numbers', () => {
    const stdout = memory();
    const stderr = memory();
    const output = createOutput({ secrets: ['k3y5!'], stdout, stderr });
    output.err('c.csv:5: duplicate phone +14155550123 (first seen on line 2)');
    output.out('token k3y5! Authorization: Bearer ya29.a0AfH6SMB');
    expect(stderr.text()).toBe('c.csv:5: duplicate phone +1415***0123 (first seen on line 2)\n');
    expect(stdout.text()).toBe('token [REDACTED] Authorization: Bearer [REDACTED]\n');
  });

  it('escapes control characters, in a block too (where only line breaks stay)', () => {
    const stderr = memory();
    const output = createOutput({ stderr, stdout: memory() });
    output.err('row "\u001b[31mred": bad\r\nnext');
    output.errBlock('row "\u001b[31mred": bad\r\nnext');
    expect(stderr.text()).toBe(
      'row "\\x1b[31mred": bad\\r\\nnext\n' + 'row "\\x1b[31mred": bad\\r\nnext\n',
    );
  });

  it('is a destination for pino and the pretty printer: chunks pass redacted, unchanged otherwise', () => {
    const stdout = memory(true);
    const output = createOutput({ secrets: ['s3cr3t'], stdout, stderr: memory() });
    output.stdout.write('{"message":"s3cr3t \\u001b"}\n');
    expect(stdout.text()).toBe('{"message":"[REDACTED] \\u001b"}\n');
    expect(output.stdoutIsTerminal).toBe(true);
  });

  it('never throws, even when a stream does', () => {
    const output = createOutput({
      stdout: {
        write: () => {
          throw new Error('EPIPE');
        },
      },
      stderr: memory(),
    });
    expect(() => output.out('x')).not.toThrow();
  });
});

describe('a reader that does not keep up', () => {
  it('holds at most maxPendingBytes: further lines are dropped, counted, and the count told', () => {
    const written: string[] = [];
    const slow = { writableLength: 0, write: (chunk: string) => written.push(chunk) };
    const output = createOutput({ stdout: slow, stderr: memory(), maxPendingBytes: 100 });
    output.out('first');
    slow.writableLength = 101; // the reader stopped reading
    output.out('second');
    output.out('third');
    slow.writableLength = 0; // and caught up
    output.out('fourth');
    expect(written).toEqual([
      'first\n',
      'call-agent: 2 lines dropped: the output was not read fast enough\n',
      'fourth\n',
    ]);
  });
});
