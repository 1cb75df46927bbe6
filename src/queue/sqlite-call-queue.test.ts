import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../resilience/index.ts';
import { LeaseLostError } from './call-queue.ts';
import { describeCallQueueContract } from './call-queue.contract.ts';
import { contact, mustClaim } from './contract/harness.ts';
import { SQLITE_SCHEMA_VERSION } from './sqlite-schema.ts';
import { SqliteCallQueue, WAL_SIZE_LIMIT_BYTES } from './sqlite-call-queue.ts';

const dir = mkdtempSync(join(tmpdir(), 'call-queue-'));
let files = 0;
const freshPath = (): string => join(dir, `queue-${++files}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small store: 48 KiB, a few dozen contacts. */
const SMALL_BYTES = 48 * 1024;

describeCallQueueContract('SQLite in memory', async (clock, options = {}) => {
  const maxSizeBytes = options.small ? SMALL_BYTES : undefined;
  return new SqliteCallQueue({ path: ':memory:', clock, holder: options.holder, maxSizeBytes });
});
describeCallQueueContract('SQLite file', async (clock, options = {}) => {
  const maxSizeBytes = options.small ? SMALL_BYTES : undefined;
  return new SqliteCallQueue({ path: freshPath(), clock, holder: options.holder, maxSizeBytes });
});

const workerScript = fileURLToPath(new URL('./test-support/claim-worker.ts', import.meta.url));
const limitedClaimer = fileURLToPath(new URL('./test-support/limited-claimer.ts', import.meta.url));

/**
 * Runs the limited claimer (`claim <db>` or `defer <db> <leases.json>`) in a shell whose files
 * cannot grow past `kib` KiB (`ulimit -f`): SQLite's commit then fails as on a full disk. Node
 * ignores SIGXFSZ, so the write fails with EFBIG instead of killing the process.
 */
function writeWithFileLimit(kib: number, ...args: string[]): Array<Record<string, string>> {
  const script = `ulimit -f ${kib}; exec "$0" --import tsx "$@"`;
  // Bounded: a writer that takes failed writes for good ones loops on the same contact.
  const out = execFileSync('bash', ['-c', script, process.execPath, limitedClaimer, ...args], {
    encoding: 'utf8',
    timeout: 15_000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 20,
  });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, string>);
}

/** A claim-worker process on `path`: `ready` once it opened the queue, `go()` to start it. */
function startWorker(path: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, path], {
    stdio: 'pipe',
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) resolve();
    });
    child.on('close', () => reject(new Error(`worker ended before it was ready: ${err}`)));
  });
  const claimed = new Promise<string[]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.split('\n')[1] ?? '') as string[]);
    });
  });
  return { ready, claimed, go: () => child.stdin.write('go\n') };
}

function rawExec(path: string, sql: string): void {
  const db = new BetterSqlite3(path);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

function rawPragma(path: string, pragma: string): unknown {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return db.pragma(pragma, { simple: true });
  } finally {
    db.close();
  }
}

/** Contacts the two claiming processes share. */
const CONTENDED = 15_000;

describe('SqliteCallQueue', () => {
  it('never lets two instances on one file claim the same contact', async () => {
    const clock = new VirtualClock();
    const path = freshPath();
    const a = new SqliteCallQueue({ path, clock });
    const b = new SqliteCallQueue({ path, clock });
    try {
      await a.enqueue(Array.from({ length: 300 }, (_, i) => contact(i)));
      const claimed: string[] = [];
      const work = async (queue: SqliteCallQueue): Promise<void> => {
        for (let next = await queue.claim('w', 1_000); next; next = await queue.claim('w', 1_000)) {
          claimed.push(next.contact.id);
        }
      };
      await Promise.all([work(a), work(b), work(a), work(b)]);
      expect(claimed).toHaveLength(300);
      expect(new Set(claimed).size).toBe(300);
      expect((await b.counts()).in_progress).toBe(300);

      // A lease taken over through the other connection is lost for the first one.
      await clock.advance(1_000);
      const taken = await b.claim('w2', 1_000);
      expect(taken).toBeDefined();
      await expect(a.complete(taken!.contact.id, 'stale')).rejects.toBeInstanceOf(LeaseLostError);
      await a.complete(taken!.contact.id, taken!.leaseToken);
      expect((await b.status(taken!.contact.id))?.state).toBe('completed');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('never lets two processes claim the same contact', async () => {
    const path = freshPath();
    // Enough work (about a second) that both processes are at it at once, even when one of
    // them starts late on a busy machine. Enqueued at the epoch, so the workers' real clocks find every contact due.
    const setup = new SqliteCallQueue({ path, clock: new VirtualClock(0) });
    await setup.enqueue(Array.from({ length: CONTENDED }, (_, i) => contact(i)));
    await setup.close();

    const workers = [startWorker(path), startWorker(path)];
    await Promise.all(workers.map((w) => w.ready));
    workers.forEach((w) => w.go());
    const [first, second] = await Promise.all(workers.map((w) => w.claimed));
    // Both took part, and no contact went to both.
    expect(first!.length).toBeGreaterThan(0);
    expect(second!.length).toBeGreaterThan(0);
    const all = [...first!, ...second!];
    expect(all).toHaveLength(CONTENDED);
    expect(new Set(all).size).toBe(CONTENDED);

    const check = new SqliteCallQueue({ path, clock: new VirtualClock() });
    expect((await check.counts()).completed).toBe(CONTENDED);
    await check.close();
  });

  it('never takes a claim whose commit failed for a claim (a full disk)', async () => {
    const path = freshPath();
    // Enqueued at the epoch, so the claimer's real clock finds every contact due.
    const owner = new SqliteCallQueue({ path, clock: new VirtualClock(0) });
    try {
      await owner.enqueue(Array.from({ length: 200 }, (_, i) => contact(i)));
      // Held open with an empty WAL: the claimer's writes are the only ones to grow a file.
      rawExec(path, 'PRAGMA wal_checkpoint(TRUNCATE)');
      const lines = writeWithFileLimit(24, 'claim', path);
      expect(lines.length).toBeLessThan(200);
      const claimed = lines.flatMap((line) => (line.ok === undefined ? [] : [line.ok]));
      expect(claimed.length).toBeGreaterThan(0);
      expect(lines.at(-1)).toMatchObject({ error: 'E_QUEUE_STORAGE' });
      expect(lines.at(-1)?.storageCode).toMatch(/^SQLITE_(FULL|IOERR)/);
      // Every claim that resolved is durable; nothing else was taken.
      const inProgress = (await owner.list('in_progress')).map((status) => status.id);
      expect(inProgress).toEqual(claimed);
    } finally {
      await owner.close();
    }
  });

  it('never takes a deferral whose commit failed for a deferral (a full disk)', async () => {
    const path = freshPath();
    const owner = new SqliteCallQueue({ path, clock: new VirtualClock(0) });
    try {
      await owner.enqueue(Array.from({ length: 200 }, (_, i) => contact(i)));
      const leases: Array<[string, string]> = [];
      for (let next = await owner.claim('w', 1e12); next; next = await owner.claim('w', 1e12)) {
        leases.push([next.contact.id, next.leaseToken]);
      }
      const leasesFile = join(dir, `leases-${files}.json`);
      writeFileSync(leasesFile, JSON.stringify(leases));
      rawExec(path, 'PRAGMA wal_checkpoint(TRUNCATE)');
      const lines = writeWithFileLimit(24, 'defer', path, leasesFile);
      expect(lines.length).toBeLessThan(200);
      expect(lines.at(-1)).toMatchObject({ error: 'E_QUEUE_STORAGE' });
      const deferred = lines.flatMap((line) => (line.ok === undefined ? [] : [line.ok]));
      expect(deferred.length).toBeGreaterThan(0);
      expect((await owner.list('deferred')).map((status) => status.id)).toEqual(deferred);
    } finally {
      await owner.close();
    }
  });

  it('keeps its WAL bounded through a long churn of claims and deferrals', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const queue = new SqliteCallQueue({ path, clock });
    try {
      await queue.enqueue(Array.from({ length: 100 }, (_, i) => contact(i)));
      let peak = 0;
      // 20,000 claims and deferrals that never find the queue empty: ~100 MB of WAL if a
      // write committed without letting SQLite checkpoint
      const deferral = { notBefore: clock.now(), reason: 'x', countsAsFailure: false };
      for (let i = 0; i < 20_000; i++) {
        const next = await mustClaim(queue, 'w', 60_000);
        await queue.defer(next.contact.id, next.leaseToken, deferral);
        if (i % 1_000 === 0) peak = Math.max(peak, statSync(`${path}-wal`).size);
      }
      expect(peak).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
    } finally {
      await queue.close();
    }
  });

  it('cuts its WAL back after a burst larger than the limit', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const queue = new SqliteCallQueue({ path, clock });
    try {
      // one transaction cannot be checkpointed half-way: the WAL grows past the limit …
      const notes = 'n'.repeat(400);
      await queue.enqueue(Array.from({ length: 20_000 }, (_, i) => contact(i, { notes })));
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(WAL_SIZE_LIMIT_BYTES);
      // … and is cut back once a later write has let SQLite checkpoint it
      for (let i = 0; i < 50; i++) {
        const next = await mustClaim(queue, 'w', 60_000);
        await queue.complete(next.contact.id, next.leaseToken);
      }
      expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT_BYTES);
    } finally {
      await queue.close();
    }
  });

  it('finds everything again after a reopen, without re-creating the schema', async () => {
    const path = freshPath();
    const clock = new VirtualClock();
    const first = new SqliteCallQueue({ path, clock });
    // every migration, oldest first, none skipped
    const applied = first.appliedMigrations;
    expect(applied).toEqual(Array.from({ length: SQLITE_SCHEMA_VERSION }, (_, i) => i + 1));
    await first.enqueue([contact(1), contact(2), contact(3)]);
    const held = await first.claim('w1', 60_000);
    await first.checkpoint('c1', held!.leaseToken, { script: 'Hi', callSid: 'CA1' });
    const deferred = await first.claim('w1', 60_000);
    await first.defer('c2', deferred!.leaseToken, {
      notBefore: clock.now() + 5_000,
      reason: 'TTS down',
      countsAsFailure: true,
    });
    await first.addToOutbox('c9', { outcome: 'answered' });
    const before = await first.list();
    await first.close();

    const reopened = new SqliteCallQueue({ path, clock });
    try {
      expect(reopened.appliedMigrations).toEqual([]);
      expect(await reopened.list()).toEqual(before);
      expect(await reopened.peekOutbox(10)).toMatchObject([
        { contactId: 'c9', payload: { outcome: 'answered' } },
      ]);
      // The lease survived too: its holder can still finish the contact.
      await reopened.complete('c1', held!.leaseToken);
      expect((await reopened.claim('w2', 1_000))?.contact.id).toBe('c3');
    } finally {
      await reopened.close();
    }
    expect(rawPragma(path, 'user_version')).toBe(SQLITE_SCHEMA_VERSION);
  });

  it('creates parent folders and opens the file in WAL mode', async () => {
    const path = join(dir, 'nested', 'deeper', 'call-agent.db');
    const queue = new SqliteCallQueue({ path, clock: new VirtualClock() });
    await queue.close();
    expect(existsSync(path)).toBe(true);
    expect(rawPragma(path, 'journal_mode')).toBe('wal');
  });

  it('keeps its files to their owner: the database, its WAL and its folder', async () => {
    const folder = join(dir, 'private', 'queue');
    const path = join(folder, 'call-agent.db');
    const queue = new SqliteCallQueue({ path, clock: new VirtualClock() });
    try {
      await queue.enqueue([contact(1)]);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(statSync(file).mode & 0o777, file).toBe(0o600);
      }
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(statSync(join(dir, 'private')).mode & 0o777).toBe(0o700);
    } finally {
      await queue.close();
    }
  });

  it('names the file and the cause when the database cannot be opened', () => {
    const notADatabase = join(dir, 'not-a-database.db');
    writeFileSync(notADatabase, 'this is a text file, not SQLite '.repeat(100));
    expect(() => new SqliteCallQueue({ path: notADatabase, clock: new VirtualClock() })).toThrow(
      expect.objectContaining({
        code: 'E_QUEUE_STORAGE',
        message: expect.stringContaining(notADatabase),
      }),
    );
  });

  it('refuses a file written by a newer schema', async () => {
    const path = freshPath();
    const db = new BetterSqlite3(path);
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteCallQueue({ path, clock: new VirtualClock() })).toThrow(/newer/);
  });

  it('gives up after a configured number of counted failures', async () => {
    const clock = new VirtualClock();
    const queue = new SqliteCallQueue({ path: ':memory:', clock, maxFailedAttempts: 2 });
    await queue.enqueue([contact(1)]);
    const options = { notBefore: clock.now(), reason: '503', countsAsFailure: true };
    const first = await queue.claim('w', 1_000);
    expect(await queue.defer('c1', first!.leaseToken, options)).toBe('deferred');
    const second = await queue.claim('w', 1_000);
    expect(await queue.defer('c1', second!.leaseToken, options)).toBe('failed');
    expect((await queue.status('c1'))?.reason).toBe('gave up after 2 failed attempts: 503');
    await queue.close();
  });

  it('stores fractional times as whole milliseconds', async () => {
    const clock = new VirtualClock(1_000.4);
    const queue = new SqliteCallQueue({ path: ':memory:', clock });
    await queue.enqueue([contact(1)]);
    const claimed = await queue.claim('w', 99.6);
    await clock.advance(99);
    expect(await queue.claim('w', 1)).toBeUndefined();
    expect(await queue.nextDueAt()).toBe(1_100);
    await queue.defer('c1', claimed!.leaseToken, {
      notBefore: 2_000.6,
      reason: 'skip',
      countsAsFailure: false,
    });
    expect((await queue.status('c1'))?.notBefore).toBe(2_001);
    await queue.close();
  });

  it('never hands out a deferred contact before its fractional not-before time', async () => {
    const clock = new VirtualClock(1_000);
    const queue = new SqliteCallQueue({ path: ':memory:', clock });
    await queue.enqueue([contact(1)]);
    const claimed = await queue.claim('w', 60_000);
    await queue.defer('c1', claimed!.leaseToken, {
      notBefore: 1_166.4, // e.g. a breaker's jittered reopen time
      reason: 'circuit open',
      countsAsFailure: false,
    });
    await clock.advanceTo(1_166.2);
    expect(await queue.claim('w', 60_000)).toBeUndefined();
    await clock.advanceTo(1_166.4);
    expect(await queue.claim('w', 60_000)).toBeUndefined(); // stored as 1,167
    await clock.advanceTo(1_167);
    expect((await queue.claim('w', 60_000))?.contact.id).toBe('c1');
    await queue.close();
  });

  it('rejects bad options and bad contacts, adding nothing', async () => {
    const clock = new VirtualClock();
    expect(() => new SqliteCallQueue({ path: ':memory:', clock, maxFailedAttempts: 0 })).toThrow(
      RangeError,
    );
    const queue = new SqliteCallQueue({ path: ':memory:', clock });
    await expect(queue.claim('w', 0)).rejects.toThrow(RangeError);
    const bad = { id: 'c2', name: 'No phone', phone: ' ' };
    await expect(queue.enqueue([contact(1), bad])).rejects.toThrow('contact #1 has no phone');
    expect((await queue.counts()).pending).toBe(0);
    await queue.close();
    await queue.close();
    await expect(queue.counts()).rejects.toThrow();
  });
});
