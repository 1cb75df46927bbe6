import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.ts';
import { SqliteCallQueue } from './sqlite-call-queue.ts';
import { LEGACY_T0, legacyFiles, type LegacyFile } from './test-support/legacy-sqlite-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'queue-schema-'));
let files = 0;
const freshPath = (): string => join(dir, `queue-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Tables and indexes as SQLite stores them, whitespace aside. */
function schemaOf(path: string): unknown[] {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const rows = db
      .prepare<[], { type: string; name: string; sql: string | null }>(
        'SELECT type, name, sql FROM sqlite_master ORDER BY name',
      )
      .all();
    return rows.map((row) => ({ ...row, sql: row.sql?.replace(/\s+/g, ' ') }));
  } finally {
    db.close();
  }
}

function openLegacy(legacy: LegacyFile, clock = new VirtualClock(LEGACY_T0)) {
  const path = freshPath();
  legacy.create(path);
  return { path, queue: new SqliteCallQueue({ path, clock }) };
}

describe.each(legacyFiles)('a queue file with $name', (legacy) => {
  it('opens, keeps every contact as it was, and ends with the schema of a new file', async () => {
    const { path, queue } = openLegacy(legacy);
    try {
      expect(queue.appliedMigrations).toEqual(
        Array.from({ length: SQLITE_SCHEMA_VERSION - 2 }, (_, i) => i + 3),
      );
      const parked = {
        id: 'c6',
        state: 'deferred',
        notBefore: LEGACY_T0 + 1_000,
        waitingOn: 'ElevenLabs',
        waitsForService: true,
      };
      expect(await queue.list()).toMatchObject([
        { id: 'c1', state: 'pending', claims: 0, contact: { name: 'Contact 1' } },
        { id: 'c2', state: 'in_progress', claims: 1, checkpoints: { script: 'Hi' } },
        { id: 'c3', state: 'completed', checkpoints: { callSid: 'CA3', crmDone: 'recorded' } },
        { id: 'c4', state: 'failed', reason: 'invalid number' },
        {
          id: 'c5',
          state: 'deferred',
          failedAttempts: 1,
          notBefore: LEGACY_T0 + 5_000,
          reason: 'TTS down',
          waitingOn: legacy.c5WaitingOn,
          waitsForService: false,
          checkpoints: { script: 'Hello' },
        },
        ...(legacy.hasParked ? [parked] : []),
      ]);
      expect(await queue.peekOutbox(10)).toMatchObject([
        { contactId: 'c3', payload: { outcome: 'answered' } },
      ]);
      expect(await queue.leases()).toEqual([
        {
          holder: { host: 'old-host', pid: 4242, started: 'boot-1' },
          contacts: 1,
          expiresAt: LEGACY_T0 + 60_000,
        },
      ]);
    } finally {
      await queue.close();
    }
    const fresh = freshPath();
    await new SqliteCallQueue({ path: fresh, clock: new VirtualClock() }).close();
    expect(schemaOf(path)).toEqual(schemaOf(fresh));
  });

  it('claims, defers, parks and releases its contacts, and finishes the one in progress', async () => {
    const clock = new VirtualClock(LEGACY_T0);
    const { queue } = openLegacy(legacy, clock);
    try {
      const first = await queue.claim('w', 60_000);
      expect(first?.contact.id).toBe('c1');
      const park = { notBefore: LEGACY_T0, reason: 'circuit open', countsAsFailure: false };
      const options = { ...park, service: 'ElevenLabs', untilReleased: true };
      expect(await queue.defer('c1', first!.leaseToken, options)).toBe('deferred');
      const parkedCount = legacy.hasParked ? 2 : 1;
      expect(await queue.waiting()).toContainEqual({
        service: 'ElevenLabs',
        contacts: parkedCount,
        untilReleased: parkedCount,
        nextDueAt: undefined,
      });
      expect(await queue.claim('w', 60_000)).toBeUndefined();

      expect(await queue.releaseWaiting('ElevenLabs')).toBe(parkedCount);
      expect((await queue.claim('w', 60_000))?.contact.id).toBe('c1');
      await queue.complete('c2', 'token-2'); // the lease taken before the upgrade

      await clock.advanceTo(LEGACY_T0 + 5_000);
      const later = [await queue.claim('w', 60_000), await queue.claim('w', 60_000)];
      const expected = legacy.hasParked ? ['c6', 'c5'] : ['c5', undefined];
      expect(later.map((claimed) => claimed?.contact.id)).toEqual(expected);
      expect((await queue.requeue(['c4'])).requeued).toEqual(['c4']);
      expect(await queue.counts()).toEqual({
        pending: 1,
        in_progress: legacy.hasParked ? 3 : 2,
        completed: 2,
        failed: 0,
        deferred: 0,
      });
    } finally {
      await queue.close();
    }
  });
});
