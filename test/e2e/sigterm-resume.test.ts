import { describe, expect, it } from 'vitest';
import { finished, runCli, startCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  until,
  type RunSummary,
} from './harness.ts';

/**
 * Ctrl-C / SIGTERM while calls are in flight: the run stops gracefully with exit 3 and the
 * contacts stay queued; the next run finishes them without calling anyone twice.
 */
describe('call-agent run: stopped by SIGTERM, run again', () => {
  // Calls are created at once but answered late, so a stop catches some in doubt.
  const e2e = useWorkspaceAndMock({
    twilio: { latencyMs: 50, errorRate: 1, errorFault: 'slow:300' },
  });

  it('exits 3 with the contacts queued, and the next run calls each number once', async () => {
    const { ws, mock } = e2e;
    const { csv, phones } = contactsCsv(8);
    await prepare(ws, csv);
    const cli = startCli(runArgs(ws, '--concurrency', '4'), { env: mock.env });
    await until(() => mock.mock.twilioCalls.length >= 2, 20_000, 'two calls placed');
    cli.child.kill('SIGTERM');
    const stopped = await finished(cli, 15_000);
    expect(stopped.code, stopped.stderr).toBe(3);
    const partial = await ws.readJson<RunSummary>('summary.json');
    expect(partial.ended).toBe('interrupted');
    expect(partial.contacts.total).toBe(8);
    expect(partial.contacts.completed).toBeLessThan(8);
    expect(partial.contacts.deferred + partial.contacts.pending).toBe(
      8 - partial.contacts.completed,
    );

    const again = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(again.code, again.stderr).toBe(0);
    const done = await ws.readJson<RunSummary>('summary.json');
    expect(done.contacts).toMatchObject({ total: 8, completed: 8, deferred: 0, pending: 0 });
    expect(calledNumbers(mock).sort()).toEqual(phones);
  }, 45_000);
});
