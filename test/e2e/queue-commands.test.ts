import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  leakedPhones,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

/** The mock's Twilio requests about one number: `lookup` (GET Calls.json) or `create` (POST). */
function twilioRequestsFor(mock: ReturnType<typeof useWorkspaceAndMock>['mock'], to: string) {
  return mock.mock
    .requests('twilio')
    .filter((r) => r.path.endsWith('/Calls.json'))
    .filter((r) => r.query.To === to || new URLSearchParams(r.body).get('To') === to)
    .map((r) => (r.method === 'GET' ? 'lookup' : 'create'));
}

/** An operator between runs: what is in the queue, which contacts failed, and a retry. */
describe('call-agent status, list and requeue', () => {
  // the first call placed is refused: invalid number (21211), a permanent error of the contact
  const e2e = useWorkspaceAndMock({ twilio: { script: ['21211'] } });
  const { csv, ids, phones } = contactsCsv(3);

  it('shows a failed contact, puts it back, and the next run calls it once', async () => {
    const { ws, mock } = e2e;
    await prepare(ws, csv);
    const db = ws.path('queue.db');
    const cli = (...args: string[]) => runCli(args, { env: mock.env, timeoutMs: 20_000 });

    const first = await runCli(runArgs(ws, '--concurrency', '1'), {
      env: mock.env,
      timeoutMs: 20_000,
    });
    expect(first.code, first.stderr).toBe(0);
    expect((await ws.readJson<RunSummary>('summary.json')).contacts).toMatchObject({
      completed: 2,
      failed: 1,
    });

    const status = await cli('status', '--db', db);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`queue ${db}: 3 contacts`);
    expect(status.stdout).toMatch(/^ {2}completed {4}2$/m);
    expect(status.stdout).toMatch(/^ {2}failed {7}1$/m);
    expect(status.stdout).toContain('CRM outbox: 0 records to replay');
    const statusJson = JSON.parse((await cli('status', '--db', db, '--json')).stdout) as Record<
      string,
      unknown
    >;
    expect(statusJson).toMatchObject({
      contacts: { total: 3, completed: 2, failed: 1, pending: 0, deferred: 0, in_progress: 0 },
      crm_outbox: 0,
      next_deferred_due_at: null,
      waiting: [],
      leases: [],
    });

    const failedList = await cli('list', '--db', db, '--state', 'failed');
    expect(failedList.code, failedList.stderr).toBe(0);
    const [header, row, ...rest] = failedList.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^id +name +phone +state +attempts +failed +next attempt +reason$/);
    expect(rest).toEqual([]);
    expect(row).toMatch(/^Contact-1 +Person 1 +\+1415\*\*\*0101 +failed +1 +0 +— +Twilio: .*21211/);
    const listed = JSON.parse((await cli('list', '--db', db, '--json')).stdout) as {
      contacts: Array<Record<string, unknown>>;
      more: number;
    };
    expect(listed.more).toBe(0);
    expect(listed.contacts.map((c) => [c.id, c.state, c.phone])).toEqual([
      ['Contact-1', 'failed', '+1415***0101'],
      ['Contact-2', 'completed', '+1415***0102'],
      ['Contact-3', 'completed', '+1415***0103'],
    ]);
    expect(listed.contacts[0]).toMatchObject({ attempts: 1, failed_attempts: 0 });
    expect(String(listed.contacts[0]!.reason)).toContain('21211');
    const limited = await cli('list', '--db', db, '--limit', '2');
    expect(limited.stdout).toContain('2 of 3 contacts shown (--limit 3 shows all)');
    for (const out of [status, failedList, limited]) {
      expect(leakedPhones(out.stdout + out.stderr, phones)).toEqual([]);
    }

    // Importing the file again does not bring it back ...
    const again = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(again.stderr).toContain('0 queued (3 already in the queue, 0 rejected)');
    expect((await ws.readJson<RunSummary>('summary.json')).contacts.failed).toBe(1);

    // ... requeue does; a completed or unknown contact is not, and each says why.
    const named = await cli('requeue', '--db', db, '--id', 'Contact-2', 'nobody');
    expect(named.code).toBe(1);
    expect(named.stdout).toContain('no contact requeued');
    expect(named.stdout).toContain('Contact-2: not requeued, it is completed: its call was made');
    expect(named.stdout).toContain('nobody: not requeued, no such contact');
    const requeued = await cli('requeue', '--db', db, '--failed');
    expect(requeued.code, requeued.stderr).toBe(0);
    expect(requeued.stdout).toContain('requeued 1 contact: Contact-1');
    expect((await cli('list', '--db', db, '--state', 'pending')).stdout).toMatch(
      /^Contact-1 .* pending +1 +0 +due now *$/m,
    );

    const retried = await runCli(runArgs(ws), { env: mock.env, timeoutMs: 20_000 });
    expect(retried.code, retried.stderr).toBe(0);
    expect((await ws.readJson<RunSummary>('summary.json')).contacts).toMatchObject({
      completed: 3,
      failed: 0,
    });
    expect(calledNumbers(mock).sort()).toEqual([...phones].sort());
    // its call had been started when it failed: the retry looked the call up before placing it
    expect(twilioRequestsFor(mock, phones[0]!)).toEqual(['create', 'lookup', 'create']);
    expect(ids[0]).toBe('Contact-1');
  }, 90_000);

  it('says which flag requeue needs, and that there is no queue where none is', async () => {
    const { ws } = e2e;
    const neither = await runCli(['requeue', '--db', ws.path('queue.db')]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('give either --failed or --id <id...>');
    const both = await runCli(['requeue', '--failed', '--id', 'a', '--db', ws.path('queue.db')]);
    expect(both.code).toBe(2);
    const missing = ws.path('nowhere.db');
    for (const command of ['status', 'list']) {
      const result = await runCli([command, '--db', missing]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`call-agent: no queue at ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
  }, 30_000);
});
