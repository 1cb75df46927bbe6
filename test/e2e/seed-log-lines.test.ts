import { describe, expect, it } from 'vitest';
import { finished, startCli } from '../support/cli-process.ts';
import {
  contactsCsv,
  leakedPhones,
  leakedSecrets,
  prepare,
  runArgs,
  useWorkspaceAndMock,
  type RunSummary,
} from './harness.ts';

const SEED_KEYS = ['timestamp', 'level', 'service', 'message', 'retry_count', 'circuit_state'];
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;
const isRejection = (line: Record<string, unknown>): boolean =>
  line.service === 'ElevenLabs' && line.message === 'Circuit OPEN. Skipping call.';

/** The seed's outage story, told by a real `run` against an ElevenLabs that answers 503. */
describe("call-agent run: the seed's log lines", () => {
  const e2e = useWorkspaceAndMock({ elevenlabs: { outages: [{ fault: '503' }] } });

  it('logs retries exhausted, the open circuit and the recovery in the seed form', async () => {
    const { ws, mock } = e2e;
    const { csv, ids, phones } = contactsCsv(4);
    await prepare(ws, csv);
    const cli = startCli(runArgs(ws, '--concurrency', '1'), { env: mock.env });
    // ElevenLabs stays down until the breaker has opened and refused a call; then it recovers.
    await cli.waitForLine(isRejection, 20_000);
    mock.mock.setFaults({ elevenlabs: null });
    const result = await finished(cli, 20_000);
    expect(result.code, result.stderr).toBe(0);

    // Every stdout line is one JSON object with the seed's keys and an ISO 8601 timestamp.
    const raw = result.stdout.split('\n').filter((line) => line !== '');
    expect(raw.length).toBeGreaterThan(10);
    const lines = raw.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of lines) {
      for (const key of SEED_KEYS) expect(line, JSON.stringify(line)).toHaveProperty(key);
      expect(line.timestamp).toMatch(ISO_8601);
      expect(new Date(line.timestamp as string).toISOString()).toBe(line.timestamp);
      expect(['INFO', 'WARNING', 'ERROR', 'CRITICAL']).toContain(line.level);
    }
    const seed = (line: Record<string, unknown>) =>
      Object.fromEntries(SEED_KEYS.slice(1).map((key) => [key, line[key]]));

    // 1. Retries exhausted while the circuit is still closed.
    const exhausted = lines.find(
      (line) => line.service === 'ElevenLabs' && line.level === 'ERROR' && line.retry_count === 3,
    );
    expect(exhausted && seed(exhausted)).toEqual({
      level: 'ERROR',
      service: 'ElevenLabs',
      message: '503 Service Unavailable',
      retry_count: 3,
      circuit_state: 'CLOSED',
    });
    // 2. The open circuit refuses a call.
    const skipped = lines.find(isRejection);
    expect(skipped && seed(skipped)).toEqual({
      level: 'WARNING',
      service: 'ElevenLabs',
      message: 'Circuit OPEN. Skipping call.',
      retry_count: null,
      circuit_state: 'OPEN',
    });
    // 3. After the recovery, a call succeeds, named by its contact.
    const success = lines.find(
      (line) =>
        line.service === 'ElevenLabs' &&
        line.level === 'INFO' &&
        typeof line.message === 'string' &&
        line.message.startsWith('Call successful for '),
    );
    expect(success).toBeDefined();
    expect(success!.circuit_state).toBe('CLOSED');
    expect(success!.message).toBe(`Call successful for ${String(success!.contact_id)}`);
    expect(ids).toContain(success!.contact_id);
    // In that order.
    expect(lines.indexOf(exhausted!)).toBeLessThan(lines.indexOf(skipped!));
    expect(lines.indexOf(skipped!)).toBeLessThan(lines.indexOf(success!));

    const summary = await ws.readJson<RunSummary>('summary.json');
    expect(summary.contacts).toMatchObject({ total: 4, completed: 4, deferred: 0, pending: 0 });
    expect(summary.services.ElevenLabs).toMatchObject({ circuit_state: 'CLOSED' });
    expect(summary.services.ElevenLabs!.circuit_openings).toBeGreaterThanOrEqual(1);
    expect(summary.services.ElevenLabs!.retries).toBeGreaterThanOrEqual(6);
    expect(mock.mock.twilioCalls.map((call) => call.to).sort()).toEqual(phones);

    expect(leakedSecrets(result.stdout + result.stderr, mock.env)).toEqual([]);
    expect(leakedPhones(result.stdout, phones)).toEqual([]);
  }, 45_000);
});
