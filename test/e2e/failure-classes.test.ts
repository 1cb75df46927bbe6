import { afterEach, describe, expect, it } from 'vitest';
import { finished, runCli, startCli, stopAllClis } from '../support/cli-process.ts';
import {
  calledNumbers,
  contactsCsv,
  createWorkspace,
  leakedPhones,
  leakedSecrets,
  prepare,
  runArgs,
  startMock,
  type E2eMock,
  type RunSummary,
  type Workspace,
} from './harness.ts';

type Line = Record<string, unknown>;

/** Each failure class of docs/provider-errors.md, as a user running `call-agent run` meets it. */
describe('call-agent run: failure classes end to end', () => {
  let ws: Workspace | undefined;
  let mock: E2eMock | undefined;
  afterEach(async () => {
    await stopAllClis();
    await mock?.close();
    await ws?.cleanup();
    ws = undefined;
    mock = undefined;
  });

  it('fails a bad number alone, degrades past OpenAI quota and replays the CRM outbox', async () => {
    ws = await createWorkspace();
    mock = await startMock({
      // permanent/service on the LLM: every contact gets the template script.
      openai: { outages: [{ fault: 'insufficient_quota' }] },
      // permanent/request on one call: that contact fails, nobody else is affected.
      twilio: { script: ['21211'] },
      // HubSpot down until the test says otherwise: records wait in the outbox.
      hubspot: { outages: [{ fault: '503' }] },
    });
    const { csv, ids, phones } = contactsCsv(4);
    await prepare(ws, csv);
    const cli = startCli(runArgs(ws), { env: mock.env });
    const outboxed = (line: Line): boolean =>
      line.event === 'contact_degraded' && line.service === 'HubSpot';
    await cli.waitForLine(() => cli.jsonLines().filter(outboxed).length === 3, 20_000);
    await cli.waitForLine((line) => line.event === 'contact_failed', 5_000);
    expect(mock.mock.crmRecords).toHaveLength(0);
    mock.mock.setFaults({ hubspot: null });
    const result = await finished(cli, 20_000);
    expect(result.code, result.stderr).toBe(0);
    const { lines } = result;

    // Twilio 21211: that contact failed, with a reason naming the error; not the service's fault.
    const failed = lines.filter((line) => line.event === 'contact_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ level: 'ERROR', service: 'Twilio' });
    expect(String(failed[0]!.message)).toContain('21211');
    const failedId = String(failed[0]!.contact_id);
    expect(ids).toContain(failedId);
    const failedPhone = phones[ids.indexOf(failedId)]!;
    expect(calledNumbers(mock).sort()).toEqual(phones.filter((p) => p !== failedPhone).sort());

    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toEqual({
      total: 4,
      completed: 3,
      failed: 1,
      deferred: 0,
      pending: 0,
    });
    expect(summary.services.Twilio).toMatchObject({ circuit_openings: 0, circuit_state: 'CLOSED' });

    // OpenAI insufficient_quota: no retry, a CRITICAL line, template scripts, degraded contacts.
    expect(summary.services.OpenAI!.retries).toBe(0);
    expect(
      lines.some(
        (line) =>
          line.level === 'CRITICAL' &&
          line.service === 'OpenAI' &&
          line.error_type === 'permanent/service',
      ),
    ).toBe(true);
    const completed = lines.filter((line) => line.event === 'contact_completed');
    const done = completed.filter((line) => String(line.message).endsWith('completed (degraded)'));
    expect(done.map((line) => line.contact_id).sort()).toEqual(
      ids.filter((id) => id !== failedId).sort(),
    );
    const spoken = mock.mock.requests('elevenlabs').filter((r) => r.method === 'POST');
    expect(spoken.length).toBeGreaterThanOrEqual(4);
    for (const request of spoken) expect(request.body).toContain('this is an automated call');

    // HubSpot down: the records waited in the outbox and were replayed once it answered.
    expect(summary.crm_outbox).toBe(0);
    const replayed = completed.filter((line) =>
      String(line.message).endsWith('replayed from the outbox'),
    );
    expect(replayed).toHaveLength(3);
    expect(mock.mock.crmRecords).toHaveLength(3);

    expect(leakedSecrets(result.stdout + result.stderr, mock.env)).toEqual([]);
    expect(leakedPhones(result.stdout, phones)).toEqual([]);
  }, 45_000);

  it('opens the ElevenLabs breaker at the first bad-key failure and defers everyone', async () => {
    ws = await createWorkspace();
    mock = await startMock({ elevenlabs: { outages: [{ fault: 'invalid_api_key' }] } });
    const { csv, phones } = contactsCsv(3);
    await prepare(ws, csv);
    const result = await runCli(runArgs(ws, '--concurrency', '1', '--max-duration', '1.5'), {
      env: mock.env,
      timeoutMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(3);
    const eleven = result.lines.filter((line) => line.service === 'ElevenLabs');

    // permanent/service: a CRITICAL line, no retry, and the breaker opens on that one failure.
    const failures = eleven.filter((line) => line.event === 'call_failed');
    expect(failures.length).toBeGreaterThanOrEqual(1);
    // The very first failure already reports the circuit OPEN (threshold 2 would say CLOSED).
    expect(failures[0]).toMatchObject({
      level: 'CRITICAL',
      error_type: 'permanent/service',
      retry_count: 0,
      circuit_state: 'OPEN',
    });
    const opened = eleven.find(
      (line) =>
        line.event === 'circuit_state_changed' &&
        String(line.message).startsWith('Circuit CLOSED → OPEN'),
    );
    expect(opened).toBeDefined();
    expect(opened!.contact_id).toBe(failures[0]!.contact_id);
    expect(String(opened!.message)).toContain('(permanent_error)');
    expect(eleven.some((line) => line.event === 'retry_scheduled')).toBe(false);

    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.ended).toBe('max_duration');
    expect(summary.contacts.completed + summary.contacts.failed).toBe(0);
    expect(summary.contacts.deferred + summary.contacts.pending).toBe(3);
    expect(summary.contacts.deferred).toBeGreaterThan(0);
    expect(summary.services.ElevenLabs).toMatchObject({ retries: 0 });
    expect(summary.services.ElevenLabs!.circuit_openings).toBeGreaterThanOrEqual(1);
    // One request per failed call: nothing was retried against a bad key.
    const ttsRequests = mock.mock.requests('elevenlabs').filter((r) => r.method === 'POST');
    expect(ttsRequests).toHaveLength(summary.services.ElevenLabs!.failures);
    expect(calledNumbers(mock)).toEqual([]);

    expect(leakedSecrets(result.stdout + result.stderr, mock.env)).toEqual([]);
    expect(leakedPhones(result.stdout, phones)).toEqual([]);
  }, 30_000);
});
