import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from '../observability/index.ts';
import { createOutput } from '../redaction/output.ts';
import { VirtualClock } from '../resilience/index.ts';
import { reportRejectedRows } from './rejected-rows.ts';

const ROW = {
  line: 3,
  message: 'invalid phone number "12345"',
  formatted: 'c.csv:3: invalid phone number "12345"',
};

/** Where a rejected row shows when stdout and stderr are one terminal and the log prints from `printLevel`. */
function shownOnTerminal(printLevel: LogLevel): { log: string; stderr: string } {
  let log = '';
  let stderr = '';
  const output = createOutput({
    stdout: { isTTY: true, write: (chunk: string) => void (log += chunk) },
    stderr: { isTTY: true, write: (chunk: string) => void (stderr += chunk) },
    env: { NO_COLOR: '1' },
  });
  const logger = createLogger({
    format: 'pretty',
    destination: output.stdout,
    clock: new VirtualClock(),
    printLevel,
  });
  reportRejectedRows([ROW], logger, output);
  return { log, stderr };
}

describe('reportRejectedRows on a terminal', () => {
  it('tells a row once: in the log lines when they print warnings', () => {
    const { log, stderr } = shownOnTerminal('INFO');
    expect(log).toContain(`WARNING  call-agent  ${ROW.formatted}`);
    expect(stderr).toBe('');
  });

  it('on stderr when the log lines do not print warnings (LOG_LEVEL=error)', () => {
    const { log, stderr } = shownOnTerminal('ERROR');
    expect(log).toBe('');
    expect(stderr).toBe(`${ROW.formatted}\n`);
  });
});
