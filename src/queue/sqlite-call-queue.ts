import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Transaction } from 'better-sqlite3';
import { createPrivateFileSync, makePrivateDirSync } from '../files/private-files.ts';
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
  type HeldLeases,
  type ListOptions,
  type OutboxEntry,
  type QueuedContactData,
  type RequeueResult,
  type StateCounts,
  type WaitingContacts,
} from './call-queue.ts';
import { currentHolder, type LeaseHolder } from './lease-holder.ts';
import type {
  ContactPage,
  ListedContact,
  PageOptions,
  QueueAdmin,
  RemoveResult,
} from './queue-admin.ts';
import { QueueStorageError } from './queue-storage-error.ts';
import { prepareBrowse, type Browse } from './sqlite-browse.ts';
import { SqliteCircuitStateStore } from './sqlite-circuit-store.ts';
import type { ContactHistoryOptions } from './contact-history.ts';
import { SqliteContactHistory } from './sqlite-contact-history.ts';
import {
  assertContact,
  assertDeferral,
  assertLease,
  assertMaxFailedAttempts,
} from './queue-input.ts';
import { migrateSqliteSchema } from './sqlite-schema.ts';
import { prepareRequeue } from './sqlite-requeue.ts';
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
  /** Who this process is, as recorded on each lease it takes (default: this process). */
  holder?: LeaseHolder;
  /**
   * The file never grows past about this size: a write that would need more fails as on a
   * full disk (QueueStorageError, `SQLITE_FULL`). Default: no limit but the disk's.
   */
  maxSizeBytes?: number | undefined;
}

export const sqliteCallQueueDefaults = {
  path: './data/call-agent.db',
  maxFailedAttempts: 5,
  synchronous: 'NORMAL',
  busyTimeoutMs: 5_000,
} as const satisfies Omit<Required<SqliteCallQueueOptions>, 'clock' | 'holder' | 'maxSizeBytes'>;

const STATES: readonly ContactState[] = [
  'pending',
  'in_progress',
  'completed',
  'failed',
  'deferred',
];

const PAGE_SIZE = 1024;
/** The WAL file's size after a checkpoint, at most (it grows to ~4 MiB between checkpoints). */
export const WAL_SIZE_LIMIT_BYTES = 8 * 1024 * 1024;

function openDatabase(
  path: string,
  synchronous: string,
  busyTimeoutMs: number,
  maxSizeBytes: number | undefined,
): Database {
  const inMemory = path === ':memory:' || path === '';
  if (!inMemory) {
    // It holds names, numbers and notes: owner only. SQLite gives the -wal and -shm files
    // the mode of the database file.
    makePrivateDirSync(dirname(resolve(path)));
    createPrivateFileSync(path);
  }
  const db = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  try {
    // Small pages: a claim or a completion rewrites a few pages (the row, its entries in the
    // due and state indexes), so 1 KiB pages write a quarter of the bytes of the usual 4 KiB
    // (measured 6k → 9k claim+complete per second). Only takes effect on a new file.
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous}`);
    // Checkpoint every ~4 MiB of WAL, as SQLite's default does with 4 KiB pages.
    db.pragma('wal_autocheckpoint = 4000');
    // After a checkpoint the WAL file is cut back to this size: a burst leaves no huge file.
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    if (maxSizeBytes !== undefined) {
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxSizeBytes / pageSize))}`);
    }
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
export class SqliteCallQueue implements CallQueue, QueueAdmin {
  readonly path: string;
  readonly maxFailedAttempts: number;
  /** Schema versions applied when this instance opened the file (empty if it was current). */
  readonly appliedMigrations: readonly number[];
  readonly #clock: Clock;
  readonly #holder: LeaseHolder;
  readonly #db: Database;
  readonly #sql: Statements;
  readonly #browse: Browse;
  readonly #enqueue: Transaction<
    (contacts: readonly QueuedContactData[], now: number) => EnqueueResult
  >;
  readonly #requeue: Transaction<
    (ids: readonly string[] | undefined, now: number) => RequeueResult
  >;

  constructor(options: SqliteCallQueueOptions) {
    const resolved = { ...sqliteCallQueueDefaults, ...options };
    assertMaxFailedAttempts(resolved.maxFailedAttempts);
    this.path = resolved.path;
    this.maxFailedAttempts = resolved.maxFailedAttempts;
    this.#clock = resolved.clock;
    this.#holder = resolved.holder ?? currentHolder();
    const { path, synchronous, busyTimeoutMs, maxSizeBytes } = resolved;
    this.#db = this.#guard(() => openDatabase(path, synchronous, busyTimeoutMs, maxSizeBytes));
    try {
      this.appliedMigrations = this.#guard(() => migrateSqliteSchema(this.#db));
      this.#sql = prepareStatements(this.#db);
      this.#browse = prepareBrowse(this.#db);
    } catch (error) {
      this.#db.close();
      // a file this program cannot use (a newer schema …) is named like a storage failure
      throw error instanceof QueueStorageError
        ? error
        : new QueueStorageError(path, undefined, error);
    }
    this.#enqueue = this.#db.transaction((contacts: readonly QueuedContactData[], now: number) =>
      this.#insertAll(contacts, now),
    );
    this.#requeue = this.#db.transaction(prepareRequeue(this.#db));
  }

  async enqueue(contacts: readonly QueuedContactData[]): Promise<EnqueueResult> {
    contacts.forEach(assertContact);
    return this.#guard(() => this.#enqueue.immediate(contacts, this.#now()));
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
    const { host, pid, started } = this.#holder;
    const params = { token, workerId, host, pid, started, now: this.#now(), leaseMs: ms(leaseMs) };
    // all(), not get(): get() returns the row after one step and resets the statement, and a
    // commit that fails in that reset (a full disk) is lost. all() runs it to completion.
    const row = this.#guard(() => this.#sql.claim.all(params))[0];
    return row === undefined ? undefined : toClaimed(row, token);
  }

  async renew(id: string, leaseToken: string, leaseMs: number): Promise<boolean> {
    assertLease(leaseMs);
    const params = { id, token: leaseToken, now: this.#now(), leaseMs: ms(leaseMs) };
    return this.#guard(() => this.#sql.renew.run(params)).changes > 0;
  }

  async leases(): Promise<HeldLeases[]> {
    return this.#guard(() => this.#sql.leases.all()).map((row) => ({
      holder:
        row.host === null || row.pid === null || row.started === null
          ? undefined
          : { host: row.host, pid: row.pid, started: row.started },
      contacts: row.contacts,
      expiresAt: row.expires_at,
    }));
  }

  async releaseLeases(holder: LeaseHolder): Promise<number> {
    const params = { ...holder, now: this.#now() };
    return this.#guard(() => this.#sql.releaseLeases.run(params)).changes;
  }

  async checkpoint(id: string, leaseToken: string, patch: Checkpoints): Promise<void> {
    const params = { id, token: leaseToken, now: this.#now(), patch: patchJson(patch) };
    if (this.#guard(() => this.#sql.checkpoint.run(params)).changes === 0) {
      throw new LeaseLostError(id);
    }
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
    if (this.#guard(() => this.#sql.finish.run(params)).changes === 0) {
      throw new LeaseLostError(id);
    }
  }

  async defer(id: string, leaseToken: string, options: DeferOptions): Promise<ContactState> {
    assertDeferral(options);
    const params = {
      id,
      token: leaseToken,
      now: this.#now(),
      inc: options.countsAsFailure ? (1 as const) : (0 as const),
      max: this.maxFailedAttempts,
      // rounded up: a deferred contact is never due before the time it was given
      notBefore: Math.ceil(options.notBefore),
      reason: options.reason,
      service: options.service ?? null,
      park: options.untilReleased ? (1 as const) : (0 as const),
      patch: patchJson(options.checkpoints),
    };
    const row = this.#guard(() => this.#sql.defer.all(params))[0]; // all(): see claim
    if (row === undefined) throw new LeaseLostError(id);
    return row.state;
  }

  async status(id: string): Promise<ContactStatus | undefined> {
    const row = this.#guard(() => this.#sql.status.get(id));
    return row === undefined ? undefined : toStatus(row);
  }

  async list(state?: ContactState, options: ListOptions = {}): Promise<ContactStatus[]> {
    const limit = options.limit === undefined ? -1 : Math.max(0, Math.floor(options.limit));
    const rows = this.#guard(() =>
      state === undefined ? this.#sql.listAll.all(limit) : this.#sql.listState.all(state, limit),
    );
    return rows.map(toStatus);
  }

  async requeue(ids?: readonly string[]): Promise<RequeueResult> {
    return this.#guard(() => this.#requeue.immediate(ids, this.#now()));
  }

  async counts(): Promise<StateCounts> {
    const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as StateCounts;
    for (const { state, n } of this.#guard(() => this.#sql.counts.all())) counts[state] = n;
    return counts;
  }

  async waiting(): Promise<WaitingContacts[]> {
    return this.#guard(() => this.#sql.waiting.all()).map((row) => ({
      service: row.service ?? undefined,
      contacts: row.contacts,
      untilReleased: row.parked,
      nextDueAt: row.next_due_at ?? undefined,
    }));
  }

  async releaseWaiting(service?: string, limit = Number.MAX_SAFE_INTEGER): Promise<number> {
    const now = this.#now();
    const released = this.#guard(() =>
      service === undefined
        ? this.#sql.releaseAll.run({ now })
        : this.#sql.release.run({ service, limit: Math.max(0, Math.floor(limit)), now }),
    );
    return released.changes;
  }

  async hasUnfinished(): Promise<boolean> {
    return this.#guard(() => this.#sql.hasUnfinished.get()) === 1;
  }

  /** The earliest time a contact can be claimed; at or before now when one is due already. */
  async nextDueAt(): Promise<number | undefined> {
    return this.#guard(() => this.#sql.nextDue.get()) ?? undefined;
  }

  async addToOutbox(contactId: string, payload: unknown): Promise<void> {
    const json = JSON.stringify(payload) ?? 'null';
    const params = { contactId, payload: json, now: this.#now() };
    this.#guard(() => this.#sql.outboxAdd.run(params));
  }

  async peekOutbox(limit: number): Promise<OutboxEntry[]> {
    return this.#guard(() => this.#sql.outboxPeek.all(limit)).map(toOutboxEntry);
  }

  async removeFromOutbox(id: number): Promise<void> {
    this.#guard(() => this.#sql.outboxRemove.run(id));
  }

  async markOutboxAttempt(id: number): Promise<void> {
    const params = { id, now: this.#now() };
    this.#guard(() => this.#sql.outboxAttempt.run(params));
  }

  async outboxSize(): Promise<number> {
    return this.#guard(() => this.#sql.outboxSize.get()) ?? 0;
  }

  async page(options: PageOptions): Promise<ContactPage> {
    return this.#guard(() => this.#browse.page(options));
  }

  async find(key: { id: string } | { seq: number }): Promise<ListedContact | undefined> {
    return this.#guard(() => this.#browse.find(key));
  }

  async remove(id: string): Promise<RemoveResult> {
    return this.#guard(() => this.#browse.remove(id));
  }

  /** The breakers' state store in this file (`call-agent serve`). */
  circuitStateStore(): SqliteCircuitStateStore {
    return new SqliteCircuitStateStore(this.#db, (run) => this.#guard(run));
  }

  /** The contacts' event histories in this file. */
  contactHistory(options?: ContactHistoryOptions): SqliteContactHistory {
    return new SqliteContactHistory(this.#db, (run) => this.#guard(run), options);
  }

  /** The clock's time in whole ms (the columns are integers), never ahead of the clock. */
  #now(): number {
    return Math.floor(this.#clock.now());
  }

  /** Runs a statement; a storage failure becomes a QueueStorageError naming the file. */
  #guard<T>(run: () => T): T {
    try {
      return run();
    } catch (error) {
      if (error instanceof BetterSqlite3.SqliteError) {
        throw new QueueStorageError(this.path, error.code, error);
      }
      throw error;
    }
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
