import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  FAST_CONFIG,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

/** A London number as people write it at home: no country code. */
const LONDON = '020 7946 0958';

/** What `run` says about its CSV, where its summary goes, and where its settings come from. */
describe('call-agent run: the import, the summary and the settings', () => {
  const e2e = useWorkspaceAndMock();

  it("says what the CSV added beside the queue's total, in the log and in the summary", async () => {
    const { ws, mock } = e2e;
    await prepare(ws, contactsCsv(3).csv);
    expect((await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 })).code).toBe(0);
    await ws.write('one.csv', 'id,name,phone\nNew-1,Nina New,+14155550199\nBad,Bo,12345\n');
    const args = runArgs(ws);
    args[1] = ws.path('one.csv');
    const result = await runCli(args, { env: mock.env, timeoutMs: 20_000 });
    expect(result.code, result.stderr).toBe(0);
    const line = `${ws.path('one.csv')}: 1 queued (0 already in the queue, 1 rejected); queue: 4 in all`;
    expect(result.stderr.split('\n').filter((l) => l === line)).toHaveLength(2); // import, summary
    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts.total).toBe(4);
    expect(summary.imported).toEqual({
      file: ws.path('one.csv'),
      queued: 1,
      already_queued: 0,
      rejected: 1,
    });
  }, 45_000);

  it('refuses a --summary-json it cannot write before any call, and - prints it last on stdout', async () => {
    const { ws, mock } = e2e;
    await prepare(ws, contactsCsv(2).csv);
    const calls = calledNumbers(mock).length;
    const db = ws.path('fresh.db');
    for (const path of [ws.path('no/such/folder/summary.json'), ws.dir]) {
      const args = runArgs(ws, '--summary-json', path, '--db', db);
      const result = await runCli(args, { env: mock.env, timeoutMs: 20_000 });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(`^call-agent: cannot write the summary to ${path} \\(--summary-json\\): E`, 'm'),
      );
      expect(calledNumbers(mock)).toHaveLength(calls);
      expect(existsSync(db)).toBe(false);
    }

    const result = await runCli(runArgs(ws, '--summary-json', '-', '--db', db), {
      env: mock.env,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const last = result.stdout.trimEnd().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({
      contacts: { total: 2, completed: 2 },
      ended: 'drained',
      imported: { queued: 2, already_queued: 0, rejected: 0 },
    });
  }, 45_000);

  it('reads .env and CALL_AGENT_CONFIG; the real environment and the flags win', async () => {
    const { ws, mock } = e2e;
    await ws.write('london.csv', `name,phone\nLeo London,${LONDON}\n`);
    await ws.write(
      'uk.json',
      JSON.stringify({ ...FAST_CONFIG, contacts: { default_region: 'GB' } }),
    );
    const dotEnv = Object.entries({ ...mock.env, DATABASE_PATH: 'from-dotenv.db' })
      .map(([name, value]) => `${name}=${value}`)
      .join('\n');
    await ws.write('.env', `# written by the test\n${dotEnv}\nCALL_AGENT_CONFIG=uk.json\n`);
    const check = (args: string[], env: Record<string, string> = {}) =>
      runCli(['check', 'london.csv', ...args], { env, cwd: ws.dir, timeoutMs: 20_000 });

    const fromFile = await check([]);
    expect(fromFile.code, fromFile.stdout + fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toContain('ok    config: uk.json');
    expect(fromFile.stdout).toContain('ok    environment: .env read (the real environment wins)');
    expect(fromFile.stdout).toContain(
      'london.csv: 1 valid contact, numbers without a country code read as GB',
    );
    expect(fromFile.stdout).toContain('queue: from-dotenv.db does not exist yet');

    const real = await check([], { DATABASE_PATH: 'real.db', CALL_AGENT_CONFIG: 'none.json' });
    expect(real.stdout).toContain('queue: real.db does not exist yet');
    expect(real.stdout).toContain('FAIL  cannot read config file none.json (CALL_AGENT_CONFIG)');

    const flags = await check(['--default-region', 'us']);
    expect(flags.code).toBe(1);
    expect(flags.stdout).toContain('london.csv:2: invalid phone number "020 7*** 0958"');
    const unknown = await check(['--default-region', 'XX']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      "option '--default-region <code>' argument 'XX' is invalid. expected a region code such as US, GB or DE",
    );

    // run reads the same: the London number is called in E.164
    const run = await runCli(['run', 'london.csv', '--log-format', 'json'], {
      cwd: ws.dir,
      timeoutMs: 20_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('london.csv: 1 queued');
    expect(calledNumbers(mock)).toContain('+442079460958');
    expect(existsSync(ws.path('from-dotenv.db'))).toBe(true);
  }, 60_000);
});
