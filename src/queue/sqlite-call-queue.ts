import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Transaction } from 'better-sqlite3';
import type { Clock } from '../resilience/index.ts';
import {
  LeaseLostError,
  type CallQueue,
  type Checkpoints,
  type ClaimedContact,
  type ContactState,
  type ContactStatus,
  type DeferOptions,
  type EnqueueResult,
  type OutboxEntry,
  type QueuedContactData,
  type StateCounts,
} from './call-queue.ts';
import { migrateSqliteSchema } from './sqlite-schema.ts';
import { contactData, toClaimed, toOutboxEntry, toStatus } from './sqlite-rows.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';

export interface SqliteCallQueueOptions {
  /** Where time comes from: every stored time is `clock.now()`. */
  clock: Clock;
  /** Database file (parent folders are created), or `:memory:` for a private one. */
  path?: string;
  /** Counted failures (`defer` with `countsAsFailure`) after which a contact fails. */
  maxFailedAttempts?: number;
  /**
   * `NORMAL` (default): in WAL mode a committed transaction survives a crash of the process
   * (SIGKILL included); only an OS crash or power loss may lose the last few commits.
   * `FULL` syncs the WAL on every commit: survives power loss too, several times slower.
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** How long a write waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
}

export const sqliteCallQueueDefaults = {
  path: './data/call-agent.db',
  maxFailedAttempts: 5,
  synchronous: 'NORMAL',
  busyTimeoutMs: 5_000,
} as const satisfies Omit<Required<SqliteCallQueueOptions>, 'clock'>;

const STATES: readonly ContactState[] = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'deferred',
];

function openDatabase(path: string, synchronous: string, busyTimeoutMs: number): Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) mkdirSync(dirname(resolve(path)), { recursive: true });
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  try {
    // Small pages: a claim or a completion rewrites about three pages (row, due index, WAL
    // frame headers), so 1 KiB pages write a quarter of the bytes of the usual 4 KiB (measured
    // 6k → 9k claim+complete per second). Only takes effect on a new file.
    db.pragma('page_size = 1024');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    // Checkpoint every ~4 MiB of WAL, as SQLite's default does with 4 KiB pages.
    db.pragma('wal_autocheckpoint = 4000');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * The embedded call queue: one SQLite file in WAL mode, safe to share between connections
 * and processes (a claim is one atomic UPDATE … RETURNING). Created and migrated on open.
 */
export class SqliteCallQueue implements CallQueue {
  readonly path: string;
  readonly maxFailedAttempts: number;
  /** Schema versions applied when this instance opened the file (empty if it was current). */
  readonly appliedMigrations: readonly number[];
  readonly #clock: Clock;
  readonly #db: Database;
  readonly #sql: Statements;
  readonly #enqueue: Transaction<
    (contacts: readonly QueuedContactData[], now: number) => EnqueueResult
  >;

  constructor(options: SqliteCallQueueOptions) {
    const resolved = { ...sqliteCallQueueDefaults, ...options };
    if (!Number.isInteger(resolved.maxFailedAttempts) || resolved.maxFailedAttempts < 1) {
      throw new RangeError(
        `maxFailedAttempts must be an integer >= 1, got ${resolved.maxFailedAttempts}`,
      );
    }
    this.path = resolved.path;
    this.maxFailedAttempts = resolved.maxFailedAttempts;
    this.#clock = resolved.clock;
    this.#db = openDatabase(resolved.path, resolved.synchronous, resolved.busyTimeoutMs);
    try {
      this.appliedMigrations = migrateSqliteSchema(this.#db);
      this.#sql = prepareStatements(this.#db);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    this.#enqueue = this.#db.transaction((contacts: readonly QueuedContactData[], now: number) =>
      this.#insertAll(contacts, now),
    );
  }

  async enqueue(contacts: readonly QueuedContactData[]): Promise<EnqueueResult> {
    contacts.forEach(assertContact);
    return this.#enqueue.immediate(contacts, this.#now());
  }

  #insertAll(contacts: readonly QueuedContactData[], now: number): EnqueueResult {
    const result: EnqueueResult = { added: 0, duplicates: 0, conflicts: [] };
    contacts.forEach((contact, index) => {
      const { id, phone } = contact;
      const queuedPhone = this.#sql.phoneOf.get(id);
      if (queuedPhone === phone) {
        result.duplicates++;
      } else if (queuedPhone !== undefined) {
        result.conflicts.push({ index, id, reason: 'id_taken' });
      } else {
        const existingId = this.#sql.idWithPhone.get(phone);
        if (existingId !== undefined) {
          result.conflicts.push({ index, id, reason: 'phone_taken', existingId });
        } else {
          const data = JSON.stringify(contactData(contact));
          this.#sql.insert.run({ id, phone, data, now });
          result.added++;
        }
      }
    });
    return result;
  }

  async claim(workerId: string, leaseMs: number): Promise<ClaimedContact | undefined> {
    assertLease(leaseMs);
    const token = randomUUID();
    const row = this.#sql.claim.get({ token, workerId, now: this.#now(), leaseMs: ms(leaseMs) });
    return row === undefined ? undefined : toClaimed(row, token);
  }

  async renew(id: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    assertLease(leaseMs);
    const now = this.#now();
    return this.#sql.renew.run({ id, token: leaseToken, now, leaseMs: ms(leaseMs) }).changes > 0;
  }

  async checkpoint(id: string, leaseToken: string, patch: Checkpoints): Promise<void> {
    const params = { id, token: leaseToken, now: this.#now(), patch: patchJson(patch) };
    if (this.#sql.checkpoint.run(params).changes === 0) throw new LeaseLostError(id);
  }

  async complete(id: string, leaseToken: string, checkpoints?: Checkpoints): Promise<void> {
    this.#finish(id, leaseToken, 'completed', null, checkpoints);
  }

  async fail(
    id: string,
    leaseToken: string,
    reason: string,
    checkpoints?: Checkpoints,
  ): Promise<void> {
    this.#finish(id, leaseToken, 'failed', reason, checkpoints);
  }

  #finish(
    id: string,
    token: string,
    state: ContactState,
    reason: string | null,
    checkpoints: Checkpoints | undefined,
  ): void {
    const params = { id, token, now: this.#now(), state, reason, patch: patchJson(checkpoints) };
    if (this.#sql.finish.run(params).changes === 0) throw new LeaseLostError(id);
  }

  async defer(id: string, leaseToken: string, options: DeferOptions): Promise<ContactState> {
    const row = this.#sql.defer.get({
      id,
      token: leaseToken,
      now: this.#now(),
      inc: options.countsAsFailure ? 1 : 0,
      max: this.maxFailedAttempts,
      // rounded up: a deferred contact is never due before the time it was given
      notBefore: Math.ceil(options.notBefore),
      reason: options.reason,
      patch: patchJson(options.checkpoints),
    });
    if (row === undefined) throw new LeaseLostError(id);
    return row.state;
  }

  async status(id: string): Promise<ContactStatus | undefined> {
    const row = this.#sql.status.get(id);
    return row === undefined ? undefined : toStatus(row);
  }

  async list(state?: ContactState): Promise<ContactStatus[]> {
    const rows = state === undefined ? this.#sql.listAll.all() : this.#sql.listState.all(state);
    return rows.map(toStatus);
  }

  async counts(): Promise<StateCounts> {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as StateCounts;
    for (const { state, n } of this.#sql.counts.all()) counts[state] = n;
    return counts;
  }

  /** The earliest time a contact can be claimed; at or before now when one is due already. */
  async nextDueAt(): Promise<number | undefined> {
    return this.#sql.nextDue.get() ?? undefined;
  }

  async addToOutbox(contactId: string, payload: unknown): Promise<void> {
    const json = JSON.stringify(payload) ?? 'null';
    this.#sql.outboxAdd.run({ contactId, payload: json, now: this.#now() });
  }

  async peekOutbox(limit: number): Promise<OutboxEntry[]> {
    return this.#sql.outboxPeek.all(limit).map(toOutboxEntry);
  }

  async removeFromOutbox(id: number): Promise<void> {
    this.#sql.outboxRemove.run(id);
  }

  async markOutboxAttempt(id: number): Promise<void> {
    this.#sql.outboxAttempt.run({ id, now: this.#now() });
  }

  async outboxSize(): Promise<number> {
    return this.#sql.outboxSize.get() ?? 0;
  }

  /** The clock's time in whole ms (the columns are integers), never ahead of the clock. */
  #now(): number {
    return Math.floor(this.#clock.now());
  }

  /** Closes the connection; later calls reject. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

/** A checkpoint patch as `json_patch` takes it; `null` leaves the column as it is. */
function patchJson(checkpoints: Checkpoints | undefined): string | null {
  return checkpoints === undefined || Object.keys(checkpoints).length === 0
    ? null
    : JSON.stringify(checkpoints);
}

/** Times and durations are stored as whole milliseconds. */
function ms(value: number): number {
  return Math.round(value);
}

function assertLease(leaseMs: number): void {
  if (!(leaseMs > 0)) throw new RangeError(`leaseMs must be > 0, got ${leaseMs}`);
}

function assertContact(contact: QueuedContactData, index: number): void {
  for (const field of ['id', 'name', 'phone'] as const) {
    const value: unknown = contact[field];
    if (typeof value !== 'string' || value.trim() === '') {
      throw new TypeError(`contact #${index} has no ${field}`);
    }
  }
}
