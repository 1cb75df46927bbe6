import { afterEach, describe, expect, it } from 'vitest';
import { createFlowHarness, type FlowHarness } from '../agent/flow-harness.test-support.ts';
import type { LogRecord } from '../observability/index.ts';
import { SqliteCallQueue, type ClaimedContact } from '../queue/index.ts';
import { createOutput } from '../redaction/output.ts';
import { createObservers, type Observers } from './observers.ts';

/**
 * A big queue rides out a long outage: 10,000 contacts, ElevenLabs down for an hour from the
 * start, in virtual time. Waiting costs a constant per contact (one claim, one write), not
 * one per breaker cycle; the log and Google Sheets get a constant per interval; nobody is
 * claimed again while the circuit is open but the one half-open trial per recovery window;
 * after the recovery, the contacts come back along the ramp.
 */

const CONTACTS = 10_000;
const OUTAGE_MS = 3_600_000;
const RAMP_MS = 30_000;

/** The real SQLite queue, counting the writes it is asked for (nothing else changes). */
class CountingQueue extends SqliteCallQueue {
  readonly claims: Array<{ id: string; at: number }> = [];
  writes: Array<{ kind: string; at: number }> = [];
  now: () => number = () => 0;

  override async claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined> {
    const claimed = await super.claim(workerId, leaseMs);
    if (claimed) {
      this.claims.push({ id: claimed.contact.id, at: this.now() });
      this.writes.push({ kind: 'claim', at: this.now() });
    }
    return claimed;
  }

  override async defer(...args: Parameters<SqliteCallQueue['defer']>) {
    this.writes.push({ kind: 'defer', at: this.now() });
    return super.defer(...args);
  }

  override async checkpoint(...args: Parameters<SqliteCallQueue['checkpoint']>) {
    this.writes.push({ kind: 'checkpoint', at: this.now() });
    return super.checkpoint(...args);
  }

  override async complete(...args: Parameters<SqliteCallQueue['complete']>) {
    this.writes.push({ kind: 'complete', at: this.now() });
    return super.complete(...args);
  }

  override async releaseWaiting(service?: string, limit?: number): Promise<number> {
    const released = await super.releaseWaiting(service, limit);
    if (released > 0) this.writes.push({ kind: 'release', at: this.now() });
    return released;
  }
}

let harness: FlowHarness | undefined;
let observers: Observers | undefined;
afterEach(async () => {
  await observers?.close();
  await harness?.close();
  harness = observers = undefined;
});

describe('10,000 contacts and an hour of TTS outage', () => {
  it('waits cheaply, logs a summary, claims nobody twice while open, and ramps back up', async () => {
    let queue: CountingQueue | undefined;
    const h = (harness = await createFlowHarness({
      contacts: CONTACTS,
      concurrency: 20,
      faults: { elevenlabs: { outages: [{ durationMs: OUTAGE_MS, fault: '503' }] } },
      config: { recovery: { ramp_seconds: RAMP_MS / 1000 } },
      makeQueue: (options) => (queue = new CountingQueue(options)),
    }));
    const counted = queue!;
    counted.now = () => h.clock.now();
    const t0 = h.clock.now();
    const end = t0 + OUTAGE_MS;

    // the log lines (and so the Google Sheets rows: the sink gets every line the log gets)
    const rows: LogRecord[] = [];
    const quiet = { write: () => true };
    observers = await createObservers({
      env: {},
      clock: h.clock,
      format: 'json',
      sheetsSpillPath: '/dev/null',
      alerts: false,
      output: createOutput({ stdout: quiet, stderr: quiet }),
    });
    observers.logger.addSink({ write: (record) => rows.push(record) });
    const unwatch = observers.watch(h.campaign, h.queue);

    expect(await h.finish()).toBe('drained');
    unwatch();

    // everyone called, once
    expect(await h.queue.counts()).toMatchObject({ completed: CONTACTS, failed: 0 });
    expect(h.mock.twilioCalls).toHaveLength(CONTACTS);
    expect(new Set(h.mock.twilioCalls.map((c) => c.to)).size).toBe(CONTACTS);

    const during = <T extends { at: number }>(items: T[]) =>
      items.filter((item) => item.at >= t0 && item.at < end);
    const recoveryWindows = OUTAGE_MS / 10_000;

    // claims while the circuit is open: each contact once (then it waits), plus one
    // half-open trial per recovery window
    const claimsPerContact = new Map<string, number>();
    for (const { id } of during(counted.claims)) {
      claimsPerContact.set(id, (claimsPerContact.get(id) ?? 0) + 1);
    }
    const again = [...claimsPerContact.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(again).toBeLessThanOrEqual(recoveryWindows);

    // queue writes while the circuit is open: a small constant per contact, a few per window
    expect(during(counted.writes).length).toBeLessThanOrEqual(2 * CONTACTS + 4 * recoveryWindows);

    // log lines (Sheets rows) while the circuit is open: none per contact beyond the first
    // few; the rest is per interval (probes, half-open trials, the waiting summary)
    const logged = rows.filter((r) => {
      const at = Date.parse(r.timestamp);
      return at >= t0 && at < end;
    });
    expect(logged.length).toBeLessThanOrEqual(10 * recoveryWindows);
    expect(logged.filter((r) => r.event === 'call_rejected').length).toBeLessThanOrEqual(3);
    const summaries = logged.filter((r) => r.event === 'contacts_waiting');
    expect(summaries.length).toBeGreaterThanOrEqual(OUTAGE_MS / 30_000 - 2);
    expect(summaries.at(-1)?.message).toMatch(
      /^ElevenLabs circuit (OPEN \(\w+\): [\d,]+ contacts waiting, next trial \d\d:\d\d:\d\d|HALF_OPEN \(\w+\): [\d,]+ contacts waiting, a trial under way)$/,
    );

    // after the recovery, the calls to ElevenLabs grow along the ramp
    const closed = h.log.find(
      (e) => e.source === 'state' && e.service === 'ElevenLabs' && e.to === 'CLOSED',
    );
    expect(closed).toBeDefined();
    const closedAt = closed!.timestamp;
    expect(closedAt - end).toBeLessThanOrEqual(5_000 + 5_000); // within a health interval
    // (the mock keeps only its last requests: count the policy's answered calls instead)
    const spoken = h.log.filter((e) => e.source === 'succeeded' && e.service === 'ElevenLabs');
    const perSecond = (from: number) =>
      spoken.filter((e) => e.timestamp >= closedAt + from && e.timestamp < closedAt + from + 1_000)
        .length;
    const first = perSecond(0);
    const middle = perSecond(RAMP_MS / 2);
    const late = perSecond(RAMP_MS - 2_000);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(4); // a tenth of the full rate (20 a second), or so
    expect(middle).toBeGreaterThan(first);
    expect(late).toBeGreaterThan(middle);
  }, 120_000);
});
