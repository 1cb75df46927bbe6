import type { Database } from 'better-sqlite3';
import type { ContactState } from './call-queue.ts';

/** A `contacts` row as the status queries read it. */
export interface StatusRow {
  id: string;
  data: string;
  state: ContactState;
  claims: number;
  failed_attempts: number;
  due_at: number | null;
  not_before: number | null;
  reason: string | null;
  waiting_on: string | null;
  checkpoints: string;
  updated_at: number;
}

/** What a claim returns. */
export interface ClaimRow {
  id: string;
  data: string;
  claims: number;
  failed_attempts: number;
  checkpoints: string;
}

export interface OutboxRow {
  id: number;
  contact_id: string;
  payload: string;
  attempts: number;
  created_at: number;
}

interface LeaseParams {
  id: string;
  token: string;
  now: number;
}

const STATUS_COLUMNS =
  'id, data, state, claims, failed_attempts, due_at, not_before, reason, waiting_on, checkpoints, updated_at';
/** A deferred contact that waits for its service to be released: nothing claims it. */
const PARKED = `state = 'deferred' AND due_at IS NULL`;
/** Only a contact still in progress under this very token may be updated. */
const HELD = `id = @id AND lease_token = @token AND state = 'in_progress'`;
const GIVE_UP = '@inc = 1 AND failed_attempts + 1 >= @max';
/** A lease given back: no token, no holder. */
const RELEASED =
  'lease_token = NULL, worker_id = NULL, holder_host = NULL, holder_pid = NULL, holder_started = NULL';
/** Merges a checkpoint patch (JSON, or NULL for none) into the recorded checkpoints. */
const PATCHED = 'checkpoints = coalesce(json_patch(checkpoints, @patch), checkpoints)';

interface PatchParam {
  patch: string | null;
}

interface ClaimParams {
  token: string;
  workerId: string;
  host: string;
  pid: number;
  started: string;
  now: number;
  leaseMs: number;
}

/** Deferred contacts by the service they wait for. */
export interface WaitingRow {
  service: string | null;
  contacts: number;
  parked: number;
  next_due_at: number | null;
}

/** Contacts in progress, by the process that holds them. */
export interface LeaseRow {
  host: string | null;
  pid: number | null;
  started: string | null;
  contacts: number;
  expires_at: number;
}

/** Every statement the SQLite queue runs, prepared once per connection. */
export function prepareStatements(db: Database) {
  return {
    insert: db.prepare<{ id: string; phone: string; data: string; now: number }>(
      `INSERT INTO contacts (id, phone, data, state, due_at, created_at, updated_at)
       VALUES (@id, @phone, @data, 'pending', @now, @now, @now)
       ON CONFLICT (id) DO NOTHING`,
    ),
    phoneOf: db.prepare<[string], string>('SELECT phone FROM contacts WHERE id = ?').pluck(),
    idWithPhone: db
      .prepare<[string], string>('SELECT id FROM contacts WHERE phone = ? ORDER BY seq LIMIT 1')
      .pluck(),
    // One statement, hence one atomic transaction: pick the first due contact and take it.
    claim: db.prepare<ClaimParams, ClaimRow>(
      `UPDATE contacts
       SET state = 'in_progress', lease_token = @token, worker_id = @workerId,
           waiting_on = NULL, not_before = NULL,
           holder_host = @host, holder_pid = @pid, holder_started = @started,
           claims = claims + 1, due_at = @now + @leaseMs, reason = NULL, updated_at = @now
       WHERE seq = (SELECT seq FROM contacts WHERE due_at <= @now ORDER BY due_at, seq LIMIT 1)
       RETURNING id, data, claims, failed_attempts, checkpoints`,
    ),
    renew: db.prepare<LeaseParams & { leaseMs: number }>(
      `UPDATE contacts SET due_at = @now + @leaseMs, updated_at = @now WHERE ${HELD}`,
    ),
    checkpoint: db.prepare<LeaseParams & PatchParam>(
      `UPDATE contacts SET ${PATCHED}, updated_at = @now WHERE ${HELD}`,
    ),
    finish: db.prepare<LeaseParams & PatchParam & { state: ContactState; reason: string | null }>(
      `UPDATE contacts
       SET state = @state, reason = @reason, due_at = NULL, ${RELEASED},
           ${PATCHED}, updated_at = @now
       WHERE ${HELD}`,
    ),
    defer: db.prepare<
      LeaseParams &
        PatchParam & {
          inc: 0 | 1;
          max: number;
          notBefore: number;
          reason: string;
          service: string | null;
          park: 0 | 1;
        },
      { state: ContactState }
    >(
      `UPDATE contacts
       SET failed_attempts = failed_attempts + @inc, ${PATCHED},
           state = CASE WHEN ${GIVE_UP} THEN 'failed' ELSE 'deferred' END,
           reason = CASE WHEN ${GIVE_UP}
             THEN 'gave up after ' || (failed_attempts + 1) || ' failed attempts: ' || @reason
             ELSE @reason END,
           due_at = CASE WHEN ${GIVE_UP} OR @park = 1 THEN NULL ELSE @notBefore END,
           not_before = CASE WHEN ${GIVE_UP} THEN NULL ELSE @notBefore END,
           waiting_on = CASE WHEN ${GIVE_UP} THEN NULL ELSE @service END,
           ${RELEASED}, updated_at = @now
       WHERE ${HELD}
       RETURNING state`,
    ),
    leases: db.prepare<[], LeaseRow>(
      `SELECT holder_host AS host, holder_pid AS pid, holder_started AS started,
              COUNT(*) AS contacts, MAX(due_at) AS expires_at
       FROM contacts WHERE state = 'in_progress'
       GROUP BY holder_host, holder_pid, holder_started ORDER BY expires_at`,
    ),
    // Due now: the next claim takes them, as it takes any contact whose lease expired.
    releaseLeases: db.prepare<{ host: string; pid: number; started: string; now: number }>(
      `UPDATE contacts SET due_at = @now
       WHERE state = 'in_progress' AND holder_host = @host AND holder_pid = @pid
         AND holder_started = @started AND due_at > @now`,
    ),
    status: db.prepare<[string], StatusRow>(`SELECT ${STATUS_COLUMNS} FROM contacts WHERE id = ?`),
    // a negative limit is no limit
    listAll: db.prepare<[number], StatusRow>(
      `SELECT ${STATUS_COLUMNS} FROM contacts ORDER BY seq LIMIT ?`,
    ),
    listState: db.prepare<[ContactState, number], StatusRow>(
      `SELECT ${STATUS_COLUMNS} FROM contacts WHERE state = ? ORDER BY seq LIMIT ?`,
    ),
    // Reads the deferred contacts' index alone; the planner would take contacts_state and read
    // every deferred row (all contacts, in an outage).
    waiting: db.prepare<[], WaitingRow>(
      `SELECT waiting_on AS service, COUNT(*) AS contacts, SUM(due_at IS NULL) AS parked,
              MIN(due_at) AS next_due_at
       FROM contacts INDEXED BY contacts_deferred WHERE state = 'deferred'
       GROUP BY waiting_on ORDER BY next_due_at IS NULL, next_due_at, waiting_on`,
    ),
    // Oldest first; each one due at its not_before, or now if that has passed.
    release: db.prepare<{ service: string; limit: number; now: number }>(
      `UPDATE contacts SET due_at = MAX(coalesce(not_before, @now), @now), updated_at = @now
       WHERE seq IN (SELECT seq FROM contacts WHERE ${PARKED} AND waiting_on = @service
                     ORDER BY seq LIMIT @limit)`,
    ),
    releaseAll: db.prepare<{ now: number }>(
      `UPDATE contacts SET due_at = MAX(coalesce(not_before, @now), @now), updated_at = @now
       WHERE ${PARKED}`,
    ),
    // Both halves read a partial index: no scan of the finished contacts.
    hasUnfinished: db
      .prepare<[], number>(
        `SELECT EXISTS (SELECT 1 FROM contacts WHERE due_at IS NOT NULL)
             OR EXISTS (SELECT 1 FROM contacts WHERE ${PARKED})`,
      )
      .pluck(),
    counts: db.prepare<[], { state: ContactState; n: number }>(
      'SELECT state, COUNT(*) AS n FROM contacts GROUP BY state',
    ),
    nextDue: db
      .prepare<[], number | null>('SELECT MIN(due_at) FROM contacts WHERE due_at IS NOT NULL')
      .pluck(),
    outboxAdd: db.prepare<{ contactId: string; payload: string; now: number }>(
      'INSERT INTO outbox (contact_id, payload, created_at) VALUES (@contactId, @payload, @now)',
    ),
    outboxPeek: db.prepare<[number], OutboxRow>(
      'SELECT id, contact_id, payload, attempts, created_at FROM outbox ORDER BY id LIMIT ?',
    ),
    outboxRemove: db.prepare<[number]>('DELETE FROM outbox WHERE id = ?'),
    outboxAttempt: db.prepare<{ id: number; now: number }>(
      'UPDATE outbox SET attempts = attempts + 1, last_attempt_at = @now WHERE id = @id',
    ),
    outboxSize: db.prepare<[], number>('SELECT COUNT(*) FROM outbox').pluck(),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
