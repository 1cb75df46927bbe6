import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  leakedSecrets,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  until,
  type RunSummary,
} from './harness.ts';

/** How long the mock Twilio holds the answer to a call it has already created. */
const ANSWER_HELD_MS = 400;

/**
 * The process dies (SIGKILL: no cleanup at all) with calls in flight; a second process on the
 * same queue finishes the campaign. Nobody may be called twice, nobody may be missed.
 */
describe('call-agent run: killed mid-campaign, restarted', () => {
  const e2e = useWorkspaceAndMock({
    twilio: {
      // Each request waits before it is processed (a kill then leaves no call behind) …
      latencyMs: 100,
      // … and each created call is answered late (a kill then leaves a call nobody saw).
      errorRate: 1,
      errorFault: `slow:${ANSWER_HELD_MS}`,
    },
  });

  it('calls every number exactly once across a SIGKILL and a restart', async () => {
    const { ws, mock } = e2e;
    const { csv, phones } = contactsCsv(20);
    // Leases far longer than the test: the restart must not wait for the dead process's.
    await prepare(ws, csv, { queue: { lease: 300 } });

    const first = startCli(runArgs(ws, '--concurrency', '4'), { env: mock.env });
    await until(() => mock.mock.twilioCalls.length >= 10, 20_000, 'ten calls placed');
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await first.exited).toBe('SIGKILL');

    const beforeRestart = mock.mock.twilioCalls.map((call) => ({ ...call }));
    expect(beforeRestart.length).toBeGreaterThanOrEqual(10);
    expect(beforeRestart.length).toBeLessThan(20);
    // Calls created whose answer was still held when the process died: nobody read their sid.
    const inDoubt = beforeRestart.filter((call) => call.createdAt + ANSWER_HELD_MS > killedAt);
    expect(inDoubt.length).toBeGreaterThanOrEqual(1);
    const lastSeqBefore = Math.max(0, ...mock.mock.requests().map((r) => r.seq));

    const second = await runCli(runArgs(ws, '--concurrency', '4'), {
      env: mock.env,
      timeoutMs: 30_000,
    });
    expect(second.code, second.stderr).toBe(0);
    // It took back at once what the dead process held, and said so.
    const reclaimed = second.lines.filter((line) => line.event === 'leases_reclaimed');
    expect(reclaimed).toHaveLength(1);
    expect(reclaimed[0]?.message).toMatch(
      new RegExp(`^Reclaimed \\d+ contacts? held by pid ${first.child.pid}, which no longer runs$`),
    );

    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toEqual({
      total: 20,
      completed: 20,
      failed: 0,
      deferred: 0,
      pending: 0,
    });
    expect(summary.crm_outbox).toBe(0);

    // Exactly one call per number: none twice, none missed.
    expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
    // The calls the dead process placed are the ones that count: none was placed again.
    for (const call of beforeRestart) {
      expect(mock.mock.twilioCalls.filter((c) => c.to === call.to)).toEqual([call]);
    }
    // The restarted agent looked the calls in doubt up instead of placing them again.
    const lookups = mock.mock
      .requests('twilio')
      .filter((r) => r.seq > lastSeqBefore && r.method === 'GET' && r.path.endsWith('/Calls.json'))
      .map((r) => r.query.To);
    for (const call of inDoubt) expect(lookups).toContain(call.to);
    // Each call is recorded in the CRM under the sid Twilio gave it, found or placed.
    const recordedSids = mock.mock.crmRecords.map(
      (record) => /Call SID: (\S+)/.exec(record.properties.hs_call_body ?? '')?.[1],
    );
    for (const call of mock.mock.twilioCalls) expect(recordedSids).toContain(call.sid);
    expect(leakedSecrets(second.stdout + second.stderr, mock.env)).toEqual([]);
  }, 45_000);
});
