import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput } from './output.ts';
import { coloured } from './printable.ts';

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

/**
 * A real reader on the other end of a real pipe: a child process that copies its stdin to its
 * stdout, which the test does not read until `catchUp` — so the child stops reading too, and
 * our end of the pipe fills up as a slow `call-agent … | reader` would.
 */
function slowReader(): { pipe: Writable; catchUp(): Promise<string> } {
  const child = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdout.pause();
  return {
    pipe: child.stdin,
    async catchUp() {
      child.stdout.setEncoding('utf8');
      let text = '';
      child.stdout.on('data', (chunk: string) => (text += chunk));
      await once(child.stdout, 'end');
      return text;
    },
  };
}

const LINE = 'x'.repeat(1000);
const LINES = 2000; // 2 MB: far more than the pipes and the reader hold
const NOTICE = /^call-agent: ([\d,]+) lines dropped from stdout: it was not read fast enough\n$/;

describe('a reader that does not keep up (a real pipe)', () => {
  it('holds at most maxPendingBytes; once the pipe drains, stderr says how many lines were dropped', async () => {
    const reader = slowReader();
    const stderr = memory();
    const output = createOutput({ stdout: reader.pipe, stderr, maxPendingBytes: 64 * 1024 });
    for (let i = 0; i < LINES; i++) output.out(`${i} ${LINE}`);
    expect(reader.pipe.writableLength).toBeLessThan(64 * 1024 + 2_000);
    expect(stderr.text()).toBe(''); // nothing to tell while the reader is behind
    const drained = once(reader.pipe, 'drain');
    const received = reader.catchUp();
    await drained;
    reader.pipe.end();
    const lines = (await received).split('\n').slice(0, -1);
    expect(lines.every((line) => /^\d+ x{1000}$/.test(line))).toBe(true); // whole lines only
    const dropped = LINES - lines.length;
    expect(dropped).toBeGreaterThan(0);
    expect(stderr.text()).toMatch(NOTICE);
    expect(Number(NOTICE.exec(stderr.text())![1]!.replaceAll(',', ''))).toBe(dropped);
  });

  it('tells the count at exit when the pipe has not drained, and only once', async () => {
    const reader = slowReader();
    const stderr = memory();
    const output = createOutput({ stdout: reader.pipe, stderr, maxPendingBytes: 64 * 1024 });
    for (let i = 0; i < LINES; i++) output.out(`${i} ${LINE}`);
    output.reportDropped(); // the program ends with the reader still behind
    const notice = stderr.text();
    expect(notice).toMatch(NOTICE);
    const drained = once(reader.pipe, 'drain');
    const received = reader.catchUp();
    await drained;
    reader.pipe.end();
    const dropped = LINES - ((await received).split('\n').length - 1);
    expect(Number(NOTICE.exec(notice)![1]!.replaceAll(',', ''))).toBe(dropped);
    expect(stderr.text()).toBe(notice); // the drain has nothing more to tell
  });

  it('has nothing to tell when no line was dropped', () => {
    const stderr = memory();
    const output = createOutput({ stdout: memory(), stderr });
    output.out('x');
    output.reportDropped();
    expect(stderr.text()).toBe('');
  });
});

describe('colours', () => {
  const RED = '\u001b[31m';
  const GREEN = '\u001b[32m';
  const RESET = '\u001b[39m';

  it('colours the words the program coloured on a terminal, each part redacted and escaped first', () => {
    const stdout = memory(true);
    const output = createOutput({ stdout, stderr: memory(), secrets: ['s3cr3t'], env: {} });
    output.out([
      'circuit=',
      coloured('OPEN', 'red'),
      ' contact=\u001b[32mfake',
      coloured('s3cr3t\n', 'green'),
    ]);
    expect(stdout.text()).toBe(
      `circuit=${RED}OPEN${RESET} contact=\\x1b[32mfake${GREEN}[REDACTED]\\n${RESET}\n`,
    );
  });

  it('redacts the plain text around a coloured word as one piece', () => {
    const stdout = memory(true);
    const output = createOutput({ stdout, stderr: memory(), env: {} });
    output.out(['calling +1415', '5550123 ', coloured('ERROR', 'red')]);
    expect(stdout.text()).toBe(`calling +1415***0123 ${RED}ERROR${RESET}\n`);
  });

  it.each([
    { why: 'NO_COLOR is set', isTTY: true, env: { NO_COLOR: '1' } },
    { why: 'TERM is dumb', isTTY: true, env: { TERM: 'dumb' } },
    { why: 'the stream is not a terminal', isTTY: false, env: {} },
    { why: 'FORCE_COLOR is 0', isTTY: true, env: { FORCE_COLOR: '0' } },
  ])('prints none when $why', ({ isTTY, env }) => {
    const stderr = memory(isTTY);
    const output = createOutput({ stdout: memory(), stderr, env });
    output.errBlock(['state\n', coloured('OPEN', 'red')]);
    expect(stderr.text()).toBe('state\nOPEN\n');
  });

  it('colours a pipe when FORCE_COLOR says so, even with NO_COLOR set', () => {
    const stdout = memory(false);
    const output = createOutput({
      stdout,
      stderr: memory(),
      env: { FORCE_COLOR: '1', NO_COLOR: '1' },
    });
    output.out([coloured('CLOSED', 'green')]);
    expect(stdout.text()).toBe(`${GREEN}CLOSED${RESET}\n`);
  });

  it('decides for each stream: stdout piped, stderr a terminal', () => {
    const stdout = memory(false);
    const stderr = memory(true);
    const output = createOutput({ stdout, stderr, env: {} });
    output.out([coloured('OPEN', 'red')]);
    output.err([coloured('OPEN', 'red')]);
    expect(stdout.text()).toBe('OPEN\n');
    expect(stderr.text()).toBe(`${RED}OPEN${RESET}\n`);
  });
});

describe('the status line', () => {
  const CLEAR = '\r\u001b[2K';

  it('stays under the lines printed: cleared, the line written, redrawn; removed at the end', () => {
    const terminal = memory(true);
    const output = createOutput({ stdout: terminal, stderr: terminal, env: {} });
    output.status('1/4 done');
    output.err('a line');
    output.out('a log line');
    output.status('1/4 done'); // unchanged: not drawn again
    output.status('2/4 done');
    output.status(undefined);
    output.err('the summary');
    expect(terminal.text()).toBe(
      `${CLEAR}1/4 done` +
        `${CLEAR}a line\n1/4 done` +
        `${CLEAR}a log line\n1/4 done` +
        `${CLEAR}2/4 done` +
        CLEAR +
        'the summary\n',
    );
  });

  it('leaves lines to a piped stdout alone, and is cut to the width of the terminal', () => {
    const stdout = memory(false);
    const stderr = Object.assign(memory(true), { columns: 10 });
    const output = createOutput({ stdout, stderr, env: { NO_COLOR: '1' } });
    output.status(['12/40 done, ', coloured('ElevenLabs OPEN', 'red')]);
    output.out('{"level":"INFO"}');
    expect(stdout.text()).toBe('{"level":"INFO"}\n');
    expect(stderr.text()).toBe(`${CLEAR}12/40 don`);
  });

  it('is made safe like any line: masked, escaped, one line', () => {
    const stderr = memory(true);
    const output = createOutput({ stdout: memory(), stderr, env: {}, secrets: ['k3y'] });
    output.status('k3y +14155550123\nforged');
    expect(stderr.text()).toBe(`${CLEAR}[REDACTED] +1415***0123\\nforged`);
  });

  it('does nothing when stderr is not a terminal', () => {
    const stderr = memory(false);
    const output = createOutput({ stdout: memory(), stderr, env: {} });
    output.status('1/4 done');
    output.err('a line');
    output.status(undefined);
    expect(stderr.text()).toBe('a line\n');
  });
});
