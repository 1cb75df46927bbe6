import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './cli.ts';
import { createOutput } from './redaction/output.ts';

const quiet = { write: (): void => undefined };

/** Parses `args` the way `call-agent` does; resolves with the usage error it printed. */
async function usageError(args: string[]): Promise<{ code: string; printed: string }> {
  const program = buildProgram({ code: 0 }, createOutput({ stdout: quiet, stderr: quiet }));
  let printed = '';
  for (const command of [program, ...program.commands]) {
    command.configureOutput({ writeErr: (text) => (printed += text), writeOut: () => undefined });
  }
  const error = await program.parseAsync(['node', 'call-agent', ...args]).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CommanderError);
  return { code: (error as CommanderError).code, printed };
}

describe('call-agent flags', () => {
  it("refuses a --max-duration longer than Node's longest timer, naming the flag and the bound", async () => {
    for (const value of ['2592000', '1e309', 'Infinity']) {
      const { code, printed } = await usageError(['run', 'nowhere.csv', '--max-duration', value]);
      expect(code).toBe('commander.invalidArgument');
      expect(printed).toContain(`option '--max-duration <seconds>' argument '${value}' is invalid`);
      expect(printed).toContain('at most 2147483');
    }
  });

  it('refuses an infinite --speed', async () => {
    const { code, printed } = await usageError(['simulate', '--speed', '1e309']);
    expect(code).toBe('commander.invalidArgument');
    expect(printed).toContain("option '--speed <x>' argument '1e309' is invalid");
  });

  it('serve --queue redis refuses what belongs to SQLite or to the workers, with exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['--queue', 'redis', '--db', 'q.db'], '--db is for --queue sqlite'],
      [['--queue', 'redis', '--mock-providers'], 'start `call-agent mock-providers`'],
      [['--queue', 'sqlite', '--data-dir', 'd'], '--data-dir is for --queue redis'],
      [['--queue', 'sqlite', '--concurrency', '0'], '--concurrency 0 is for --queue redis'],
    ];
    for (const [flags, message] of cases) {
      const { code, printed } = await usageError(['serve', '--port', '0', ...flags]);
      expect(code).toBe('commander.error');
      expect(printed).toContain(message);
    }
    const negative = await usageError(['serve', '--queue', 'redis', '--concurrency', '-1']);
    expect(negative.printed).toContain('expected a whole number ≥ 0');
    const other = await usageError(['worker', '--concurrency', '0']);
    expect(other.printed).toContain('expected a whole number ≥ 1');
  });
});
