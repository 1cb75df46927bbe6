import { afterEach, describe, expect, it } from 'vitest';
import { seedScenario, simulate } from '../commands/simulate.ts';
import { parseConfig } from '../config.ts';
import { createOutput } from '../redaction/output.ts';
import { agentEvents, createFlowHarness, type FlowHarness } from './flow-harness.test-support.ts';

/**
 * The seed's story end to end: ElevenLabs answers 503 from the start, the first contacts
 * exhaust their retries, the circuit opens, the next contacts are skipped and deferred, the
 * health check sees the recovery and closes the circuit, and every contact completes.
 */

let harness: FlowHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe("the seed's story", () => {
  it('retries, opens, skips, recovers through the health check, completes everyone', async () => {
    const h = (harness = await createFlowHarness({ contacts: 5, faults: seedScenario() }));
    expect(await h.finish()).toBe('drained');
    expect(await h.queue.counts()).toMatchObject({ completed: 5, failed: 0, deferred: 0 });
    expect(await h.queue.outboxSize()).toBe(0);

    const log = h.log;
    const elevenLabs = (e: (typeof log)[number]) => 'service' in e && e.service === 'ElevenLabs';
    // "503 Service Unavailable", retry_count 3, circuit still CLOSED
    const failed = log.findIndex(
      (e) =>
        elevenLabs(e) &&
        e.source === 'failed' &&
        e.retryCount === 3 &&
        e.circuitState === 'CLOSED' &&
        e.error.status === 503,
    );
    const opened = log.findIndex((e) => elevenLabs(e) && e.source === 'state' && e.to === 'OPEN');
    // "Circuit OPEN. Skipping call."
    const skipped = log.findIndex(
      (e) =>
        elevenLabs(e) &&
        e.source === 'rejected' &&
        e.reason === 'circuit_open' &&
        e.circuitState === 'OPEN',
    );
    const closed = log.findIndex(
      (e) =>
        elevenLabs(e) && e.source === 'state' && e.to === 'CLOSED' && e.reason === 'health_check',
    );
    const completed = agentEvents(log, 'contact_completed');
    const lastCompleted = log.lastIndexOf(completed[completed.length - 1]!);
    expect(failed).toBeGreaterThan(-1);
    expect([failed, opened, skipped, closed, lastCompleted]).toEqual(
      [failed, opened, skipped, closed, lastCompleted].sort((a, b) => a - b),
    );
    expect(new Set([failed, opened, skipped, closed, lastCompleted]).size).toBe(5);
    expect(completed.map((e) => e.contactId).sort()).toEqual(h.contacts.map((c) => c.id));
    expect(h.mock.twilioCalls).toHaveLength(5);
    expect(h.mock.crmRecords).toHaveLength(5);
  });

  // Full jitter puts the breaker's times between whole ms, which the queue rounds: these seeds
  // once left a contact refused and re-deferred forever at one instant of the virtual clock.
  it.each([2, 4, 42])('with jittered retries (seed %i) the run still drains', async (seed) => {
    const h = (harness = await createFlowHarness({
      contacts: 5,
      seed,
      faults: seedScenario(),
      config: { retry: { jitter: 'full' } },
    }));
    expect(await h.finish()).toBe('drained');
    expect(h.stopReason).toBeUndefined();
    expect(await h.queue.counts()).toMatchObject({ completed: 5 });
  });

  const simulated = async (time: 'virtual' | 'scaled', seed = 1) => {
    let logged = '';
    let printed = '';
    const output = createOutput({
      stdout: { write: (chunk: string) => (logged += chunk) },
      stderr: { write: (chunk: string) => (printed += chunk) },
    });
    const result = await simulate({
      config: parseConfig({}),
      seed,
      time,
      speed: 2_000, // scaled: 2,000 times real time
      contacts: 5,
      concurrency: 1,
      db: ':memory:',
      logFormat: 'pretty',
      env: {},
      output,
    });
    return { ...result, logged, printed };
  };

  it('`simulate` tells the same story every time, in virtual and in scaled time alike', async () => {
    const first = await simulated('virtual', 42);
    const second = await simulated('virtual', 42);
    const scaled = await simulated('scaled', 42);

    expect(first.code).toBe(0);
    expect(first.summary.contacts).toEqual({
      total: 5,
      completed: 5,
      failed: 0,
      deferred: 0,
      pending: 0,
    });
    expect(first.summary).toMatchObject({ crm_outbox: 0, ended: 'drained' });
    expect(first.summary.services.ElevenLabs?.circuit_openings).toBeGreaterThan(0);
    for (const run of [second, scaled]) {
      expect(run.summary).toEqual(first.summary);
      expect(run.printed).toEqual(first.printed);
      expect(run.logged).toBe(first.logged);
    }
    expect(first.logged).not.toMatch(/\+1415555\d{4}/);
  });

  it("`simulate`'s default story is the README's: skips, the health check closes the circuit, alerts shown", async () => {
    const { logged, printed } = await simulated('virtual');
    expect(logged).toContain('Circuit OPEN. Skipping call.');
    const closings = logged
      .split('\n')
      .filter((line) => line.includes('ElevenLabs') && line.includes('→ CLOSED'));
    expect(closings).toHaveLength(1);
    expect(closings[0]).toContain('Circuit OPEN → CLOSED (health_check)');
    // every alert as it would be sent, and where (no channel is configured here)
    expect(printed).toContain(
      'alert (no channel configured): [CRITICAL] ElevenLabs: circuit opened',
    );
    expect(printed).toContain(
      'alert (no channel configured): [INFO] ElevenLabs: circuit closed again',
    );
    expect(printed).toContain(
      'alert (no channel configured): [WARNING] HubSpot: retries exhausted',
    );
    // one outage, one opening: a half-open trial that fails reopens it, unannounced
    expect(printed.match(/ElevenLabs: circuit opened/g)).toHaveLength(1);
  });
});
