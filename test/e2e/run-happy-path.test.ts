import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  leakedPhones,
  leakedSecrets,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

/** A new user's first run: a CSV with one bad row, healthy providers, then the same run again. */
describe('call-agent run: happy path', () => {
  const e2e = useWorkspaceAndMock();

  const phones = ['+14155550101', '+14155550102', '+14155550103'];
  const csv = [
    'name,phone,company',
    `Alice Adams,${phones[0]},Acme`,
    'Bob Brown,12345,Acme',
    `Carol Clark,${phones[1]},Initech`,
    `Dan Diaz,${phones[2]},Globex`,
    '',
  ].join('\n');

  it('calls the three good contacts once, reports the bad row, and a rerun adds nothing', async () => {
    const { ws, mock } = e2e;
    await prepare(ws, csv);
    const first = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(first.code, first.stderr).toBe(0);

    // The rejected row, with its line in the file (the header is line 1).
    expect(first.stderr.split('\n')).toContain('contacts.csv:3: invalid phone number "12345"');
    expect(first.stderr).toContain(
      '3 queued (0 already in the queue, 1 rejected); queue: 3 in all',
    );

    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toEqual({
      total: 3,
      completed: 3,
      failed: 0,
      deferred: 0,
      pending: 0,
    });
    expect(summary.crm_outbox).toBe(0);
    expect(summary.ended).toBe('drained');
    expect(Object.keys(summary.services).sort()).toEqual([
      'ElevenLabs',
      'HubSpot',
      'OpenAI',
      'Twilio',
    ]);
    for (const [name, service] of Object.entries(summary.services)) {
      expect(service, name).toMatchObject({
        calls: 3,
        succeeded: 3,
        failures: 0,
        rejected: 0,
        retries: 0,
        circuit_openings: 0,
        circuit_state: 'CLOSED',
      });
    }

    expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
    expect(mock.mock.crmRecords).toHaveLength(3);
    const completed = first.lines.filter((line) => line.event === 'contact_completed');
    expect(completed).toHaveLength(3);

    // No secret and no full number on the way out.
    const firstOutput = first.stdout + first.stderr + JSON.stringify(summary);
    expect(leakedSecrets(firstOutput, mock.env)).toEqual([]);
    expect(leakedPhones(first.stdout, phones)).toEqual([]);

    // Same file, same queue: nothing new is queued and nobody is called again.
    const second = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(
      '0 queued (3 already in the queue, 1 rejected); queue: 3 in all',
    );
    const again = await ws.readJson<RunSummary>('summary.json');
    expect(again.contacts).toEqual(summary.contacts);
    expect(again.services.Twilio?.calls ?? 0).toBe(0);
    expect(calledNumbers(mock)).toHaveLength(3);
    expect(mock.mock.crmRecords).toHaveLength(3);
  }, 45_000);
});
