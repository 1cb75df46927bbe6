import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import { contactsCsv, FAST_CONFIG, useWorkspaceAndMock, type Workspace } from './harness.ts';

const WARNING_AND_WORSE = ['WARNING', 'ERROR', 'CRITICAL'];

/** `--quiet` and LOG_LEVEL choose the lowest level of the log lines printed. */
describe.concurrent('call-agent: --quiet and LOG_LEVEL', () => {
  const setup = useWorkspaceAndMock();

  /** `run` of 2 good contacts and 1 bad row (a WARNING line), in files of its own. */
  const runArgs = async (ws: Workspace, name: string): Promise<string[]> => [
    'run',
    await ws.write(`${name}.csv`, `${contactsCsv(2).csv}bad,Bad,12345\n`),
    '--config',
    await ws.write(`${name}.json`, JSON.stringify(FAST_CONFIG)),
    '--db',
    ws.path(`${name}.db`),
  ];

  it('prints every level by default, warnings and worse with --quiet', async () => {
    const { ws, mock } = setup;
    const all = await runCli(await runArgs(ws, 'all'), { env: mock.env, timeoutMs: 60_000 });
    expect(all.code, all.stderr).toBe(0);
    expect(new Set(all.lines.map((line) => line.level))).toEqual(new Set(['INFO', 'WARNING']));

    const quiet = await runCli([...(await runArgs(ws, 'quiet')), '--quiet'], {
      env: mock.env,
      timeoutMs: 60_000,
    });
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.lines.length).toBeGreaterThan(0);
    for (const line of quiet.lines) expect(WARNING_AND_WORSE).toContain(line.level);
    expect(quiet.lines.map((line) => line.event)).toContain('contact_rejected');
    expect(quiet.stdout.split('\n').filter(Boolean)).toHaveLength(quiet.lines.length);
    // the command's own report stays: the bad row and the summary
    expect(quiet.stderr).toContain('quiet.csv:4: invalid phone number');
    expect(quiet.stderr).toContain('ended: drained');
  }, 70_000);

  it('LOG_LEVEL=error prints errors and worse only (any case)', async () => {
    const { ws, mock } = setup;
    const result = await runCli(await runArgs(ws, 'error'), {
      env: { ...mock.env, LOG_LEVEL: 'Error' },
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(''); // nothing went wrong: no line to print
    expect(result.stderr).toContain('ended: drained');
  }, 70_000);

  it('an invalid LOG_LEVEL stops the start with a configuration error naming it', async () => {
    const { ws, mock } = setup;
    const args = await runArgs(ws, 'invalid');
    const result = await runCli(args, {
      env: { ...mock.env, LOG_LEVEL: 'verbose' },
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'call-agent: invalid environment: LOG_LEVEL = "verbose": expected one of "debug", "info", "warning", "error", "critical"\n',
    );
    expect(existsSync(ws.path('invalid.db'))).toBe(false);
  }, 70_000);

  it('simulate --quiet: no INFO line and no info alert printed', async () => {
    const result = await runCli(['simulate', '--time', 'virtual', '--quiet'], {
      cwd: setup.ws.dir,
      timeoutMs: 60_000,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.lines.length).toBeGreaterThan(0);
    for (const line of result.lines) expect(WARNING_AND_WORSE).toContain(line.level);
    expect(result.stderr).toContain('[CRITICAL] ElevenLabs: circuit opened');
    expect(result.stderr).not.toContain('[INFO]');
    expect(result.stderr).toContain('ended: drained');
  }, 70_000);
});
