import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  leakedPhones,
  leakedSecrets,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

/**
 * Twilio is down for longer than the run may last: the run stops at --max-duration with the
 * contacts still queued (exit 3); once Twilio is back, the next run completes them (exit 0).
 */
describe('call-agent run: --max-duration, then a later run', () => {
  const e2e = useWorkspaceAndMock({ twilio: { outages: [{ fault: '503' }] } });

  it('leaves the contacts deferred while Twilio is down and completes them after', async () => {
    const { ws, mock } = e2e;
    const { csv, phones } = contactsCsv(5);
    await prepare(ws, csv);
    const down = await runCli(runArgs(ws, '--max-duration', '2'), {
      env: mock.env,
      timeoutMs: 20_000,
    });
    expect(down.code, down.stderr).toBe(3);
    const stopped = await ws.readJson<RunSummary>('summary.json');
    expect(stopped.ended).toBe('max_duration');
    expect(stopped.contacts.total).toBe(5);
    expect(stopped.contacts.completed + stopped.contacts.failed).toBe(0);
    expect(stopped.contacts.deferred).toBeGreaterThan(0);
    expect(stopped.contacts.deferred + stopped.contacts.pending).toBe(5);
    expect(stopped.services.Twilio!.circuit_openings).toBeGreaterThanOrEqual(1);
    expect(stopped.services.Twilio!.circuit_state).not.toBe('CLOSED');
    expect(calledNumbers(mock)).toEqual([]);
    expect(down.stderr).toContain('ended: max_duration');

    mock.mock.setFaults({ twilio: null });
    const up = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('0 queued (5 already in the queue, 0 rejected)');
    const done = await ws.readJson<RunSummary>('summary.json');
    expect(done.contacts).toEqual({
      total: 5,
      completed: 5,
      failed: 0,
      deferred: 0,
      pending: 0,
    });
    expect(done.ended).toBe('drained');
    expect(calledNumbers(mock).sort()).toEqual(phones);

    const output =
      down.stdout + down.stderr + up.stdout + up.stderr + JSON.stringify([stopped, done]);
    expect(leakedSecrets(output, mock.env)).toEqual([]);
    expect(leakedPhones(down.stdout + up.stdout, phones)).toEqual([]);
  }, 45_000);
});
