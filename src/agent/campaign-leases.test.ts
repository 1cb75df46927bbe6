import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { currentHolder, SqliteCallQueue } from '../queue/index.ts';
import type { VirtualClock } from '../resilience/index.ts';
import { FileAudioStore } from './audio-store.ts';
import {
  agentEvents,
  CHAT,
  contactNo,
  createFlowHarness,
  operations,
  SPEECH,
  type FlowHarness,
} from './flow-harness.test-support.ts';

/** Leases seen from the campaign: lost to another worker, and a queue that fails. */

const dir = mkdtempSync(join(tmpdir(), 'campaign-leases-'));
let files = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let harness: FlowHarness | undefined;
const others: SqliteCallQueue[] = [];
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  await Promise.all(others.splice(0).map((queue) => queue.close()));
});

/** A second worker (another process, say) on the same queue file. */
function otherWorker(path: string, clock: VirtualClock): SqliteCallQueue {
  const queue = new SqliteCallQueue({
    path,
    clock,
    holder: { host: 'other-host', pid: 1, started: 'ms:1' },
  });
  others.push(queue);
  return queue;
}

/**
 * The other worker takes `id` over from the campaign (as if the campaign's lease had run out
 * while it stalled): everything else it had to claim on the way is put back, due at once.
 */
async function takeOver(other: SqliteCallQueue, id: string, now: number): Promise<string> {
  await other.releaseLeases(currentHolder());
  for (;;) {
    const claimed = await other.claim('thief', 30_000);
    if (claimed === undefined) throw new Error(`${id} was not due`);
    if (claimed.contact.id === id) return claimed.leaseToken;
    const putBack = { notBefore: now, reason: 'put back', countsAsFailure: false };
    await other.defer(claimed.contact.id, claimed.leaseToken, putBack);
  }
}

/** A campaign on a queue file, each TTS call taking 25 s (a lease of 30 s is renewed every 10 s). */
async function slowTtsCampaign(contacts: number) {
  const path = join(dir, `queue-${++files}.db`);
  harness = await createFlowHarness({
    contacts,
    faults: { elevenlabs: { latencyMs: 25_000 } },
    makeQueue: (options) => new SqliteCallQueue({ ...options, path }),
  });
  return { h: harness, other: otherWorker(path, harness.clock) };
}

describe('a lease lost to another worker', () => {
  it('stops the contact at the renewal that finds it lost: no synthesis is paid for, no call placed', async () => {
    const { h, other } = await slowTtsCampaign(1);
    const t0 = h.clock.now();
    h.start();
    await h.runUntil(() => operations(h.mock, 'elevenlabs').length === 1);
    const token = await takeOver(other, 'Contact-1', h.clock.now());

    await h.runUntil(() => agentEvents(h.log, 'lease_lost').length === 1);
    expect(agentEvents(h.log, 'lease_lost')[0]).toMatchObject({
      contactId: 'Contact-1',
      timestamp: t0 + 10_000, // the first renewal, long before the synthesis would end
    });
    const synthesized = h.log.filter((e) => e.source === 'succeeded' && e.service === 'ElevenLabs');
    expect(synthesized).toEqual([]);
    expect(h.mock.twilioCalls).toEqual([]);
    // the contact is the other worker's, as it was left
    expect(await h.queue.status('Contact-1')).toMatchObject({ state: 'in_progress' });
    await other.complete('Contact-1', token);
    expect(await h.finish()).toBe('drained');
    expect(h.mock.twilioCalls).toEqual([]);
  });

  it('makes a slot whose leases are lost twice in a row wait before it claims again', async () => {
    const { h, other } = await slowTtsCampaign(3);
    const t0 = h.clock.now();
    h.start();
    for (const n of [1, 2]) {
      await h.runUntil(() => operations(h.mock, 'elevenlabs').length === n);
      await takeOver(other, contactNo(n).id, h.clock.now());
      await h.runUntil(() => agentEvents(h.log, 'lease_lost').length === n);
    }
    await h.runUntil(() => operations(h.mock, 'openai', CHAT).length === 3);
    const claimedAt = operations(h.mock, 'openai', CHAT).map((r) => r.at - t0);
    // lost at 10 s: the next claim at once; lost again at 20 s: the next one a second later
    expect(claimedAt).toEqual([0, 10_000, 21_000]);
  });
});

describe('local storage that fails', () => {
  it('a CRM replay whose queue write fails ends the run with that failure, never unhandled', async () => {
    const path = join(dir, `busy-${++files}.db`);
    harness = await createFlowHarness({
      contacts: 1,
      faults: { hubspot: { outages: [{ fault: '503' }] } },
      makeQueue: (options) => new SqliteCallQueue({ ...options, path, busyTimeoutMs: 5 }),
    });
    const h = harness;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const other = new BetterSqlite3(path);
    try {
      h.start();
      await h.runUntil(() => h.policy('HubSpot').state === 'OPEN');
      await h.runUntil(() => agentEvents(h.log, 'contact_completed').length === 1);
      // another process holds the write lock while the CRM comes back
      other.exec('BEGIN IMMEDIATE');
      h.mock.setFaults({ hubspot: null });
      h.policy('HubSpot').reset();
      await expect(h.finish()).rejects.toMatchObject({
        code: 'E_QUEUE_STORAGE',
        storageCode: 'SQLITE_BUSY',
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
      other.exec('ROLLBACK');
      other.close();
    }
    expect(unhandled).toEqual([]);
  });

  it('an audio folder that cannot be written ends the run: no second voice is paid for', async () => {
    writeFileSync(join(dir, 'not-a-folder'), '');
    harness = await createFlowHarness({
      contacts: 2,
      env: { TTS_FALLBACK_PROVIDER: 'openai' },
      audio: (clock) => new FileAudioStore({ dir: join(dir, 'not-a-folder', 'audio'), clock }),
    });
    const h = harness;
    await expect(h.finish()).rejects.toMatchObject({
      code: 'E_AUDIO_STORE',
      message: expect.stringContaining(join(dir, 'not-a-folder', 'audio')),
    });
    expect(operations(h.mock, 'elevenlabs')).toHaveLength(1);
    expect(operations(h.mock, 'openai', SPEECH)).toEqual([]);
    expect(h.policy('ElevenLabs').state).toBe('CLOSED');
    expect(h.log.filter((e) => e.source === 'failed')).toEqual([]);
    expect(h.mock.twilioCalls).toEqual([]);
    expect(await h.queue.status('Contact-1')).toMatchObject({ state: 'in_progress' });
  });

  it('a claim that did not commit ends the run, before any provider is asked', async () => {
    const path = join(dir, `full-${++files}.db`);
    const seed = new SqliteCallQueue({ path, clock: { now: () => 0 } as never });
    // rows appended one by one fill their pages: a claim (which adds the lease) needs a new one
    await seed.enqueue(Array.from({ length: 40 }, (_, i) => contactNo(i + 1)));
    await seed.close();
    const fullAt = statSync(path).size;
    harness = await createFlowHarness({
      contacts: 1,
      makeQueue: (options) => new SqliteCallQueue({ ...options, path, maxSizeBytes: fullAt }),
    });
    const h = harness;
    await expect(h.finish()).rejects.toMatchObject({
      code: 'E_QUEUE_STORAGE',
      storageCode: 'SQLITE_FULL',
      message: expect.stringContaining(path),
    });
    expect(h.mock.requests()).toEqual([]);
    expect(await h.queue.counts()).toMatchObject({ in_progress: 0, pending: 40 });
  });
});
