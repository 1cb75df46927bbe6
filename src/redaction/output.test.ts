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
  it('writes lines to stdout and stderr, with a newline each', () => {
    const stdout = memory();
    const stderr = memory();
    const output = createOutput({ stdout, stderr });
    output.out('one');
    output.err('two\nthree');
    expect(stdout.text()).toBe('one\n');
    expect(stderr.text()).toBe('two\nthree\n');
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

  it('escapes control characters but keeps line breaks', () => {
    const stderr = memory();
    const output = createOutput({ stderr, stdout: memory() });
    output.err('row "\u001b[31mred": bad\r\nnext');
    expect(stderr.text()).toBe('row "\\x1b[31mred": bad\\r\nnext\n');
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
