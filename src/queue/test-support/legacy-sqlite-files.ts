/**
 * Queue files as earlier versions of the code left them, for the migration tests. Schema
 * version 2 was written by three different texts of migration 2 (it was edited after it
 * shipped), copied here verbatim from the commits that shipped them.
 */
import BetterSqlite3 from 'better-sqlite3';

const MIGRATION_1 = `
      CREATE TABLE contacts (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        phone TEXT NOT NULL,
        data TEXT NOT NULL,
        state TEXT NOT NULL
          CHECK (state IN ('pending', 'in_progress', 'completed', 'failed', 'deferred')),
        due_at INTEGER,
        lease_token TEXT,
        worker_id TEXT,
        claims INTEGER NOT NULL DEFAULT 0,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        reason TEXT,
        checkpoints TEXT NOT NULL DEFAULT '{}',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX contacts_due ON contacts (due_at, seq) WHERE due_at IS NOT NULL;
      CREATE INDEX contacts_phone ON contacts (phone);
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        contact_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        last_attempt_at INTEGER
      ) STRICT;
    `;

/** Migration 2 as 0575a80 shipped it: the lease holder only. */
const MIGRATION_2_AT_0575A80 = `
      ALTER TABLE contacts ADD COLUMN holder_host TEXT;
      ALTER TABLE contacts ADD COLUMN holder_pid INTEGER;
      ALTER TABLE contacts ADD COLUMN holder_started TEXT;
    `;

/** Migration 2 from 5297eb7 to fc8d06c: waiting_on added to it. */
const MIGRATION_2_AT_FC8D06C = `
      ALTER TABLE contacts ADD COLUMN holder_host TEXT;
      ALTER TABLE contacts ADD COLUMN holder_pid INTEGER;
      ALTER TABLE contacts ADD COLUMN holder_started TEXT;
      ALTER TABLE contacts ADD COLUMN waiting_on TEXT;
    `;

/** Migration 2 from 9112bd3 on: not_before and contacts_parked added to it. */
const MIGRATION_2_AT_9112BD3 = `
      ALTER TABLE contacts ADD COLUMN holder_host TEXT;
      ALTER TABLE contacts ADD COLUMN holder_pid INTEGER;
      ALTER TABLE contacts ADD COLUMN holder_started TEXT;
      ALTER TABLE contacts ADD COLUMN waiting_on TEXT;
      ALTER TABLE contacts ADD COLUMN not_before INTEGER;
      CREATE INDEX contacts_parked ON contacts (waiting_on, seq)
        WHERE state = 'deferred' AND due_at IS NULL;
    `;

/** When the fixture's rows were written. */
export const LEGACY_T0 = 1_000_000;

const data = (n: number): string =>
  JSON.stringify({ id: `c${n}`, name: `Contact ${n}`, phone: `+1415555000${n}` });

/**
 * One contact in each state: c1 pending (due at T0), c2 in progress under lease `token-2`
 * of host `old-host` (expires T0 + 60 s), c3 completed, c4 failed, c5 deferred until
 * T0 + 5 s after a counted failure. And one CRM record in the outbox.
 */
const ROWS = `
  INSERT INTO contacts (id, phone, data, state, due_at, lease_token, worker_id, claims,
                        failed_attempts, reason, checkpoints, created_at, updated_at,
                        holder_host, holder_pid, holder_started)
  VALUES
    ('c1', '+14155550001', '${data(1)}', 'pending', ${LEGACY_T0}, NULL, NULL, 0,
     0, NULL, '{}', ${LEGACY_T0}, ${LEGACY_T0}, NULL, NULL, NULL),
    ('c2', '+14155550002', '${data(2)}', 'in_progress', ${LEGACY_T0 + 60_000}, 'token-2', 'w1', 1,
     0, NULL, '{"script":"Hi"}', ${LEGACY_T0}, ${LEGACY_T0}, 'old-host', 4242, 'boot-1'),
    ('c3', '+14155550003', '${data(3)}', 'completed', NULL, NULL, NULL, 1,
     0, NULL, '{"callSid":"CA3","crmDone":"recorded"}', ${LEGACY_T0}, ${LEGACY_T0}, NULL, NULL, NULL),
    ('c4', '+14155550004', '${data(4)}', 'failed', NULL, NULL, NULL, 1,
     0, 'invalid number', '{}', ${LEGACY_T0}, ${LEGACY_T0}, NULL, NULL, NULL),
    ('c5', '+14155550005', '${data(5)}', 'deferred', ${LEGACY_T0 + 5_000}, NULL, NULL, 1,
     1, 'TTS down', '{"script":"Hello"}', ${LEGACY_T0}, ${LEGACY_T0}, NULL, NULL, NULL);
  INSERT INTO outbox (contact_id, payload, created_at) VALUES ('c3', '{"outcome":"answered"}', ${LEGACY_T0});
`;

export interface LegacyFile {
  name: string;
  /** Builds the file at `path`, schema version 2, with its rows. */
  create(path: string): void;
  /** The service c5 waits on, as that version recorded it. */
  c5WaitingOn: string | undefined;
  /** Whether c6 exists: a contact parked until ElevenLabs is released, not before T0 + 1 s. */
  hasParked: boolean;
}

function creator(migration2: string, more = ''): (path: string) => void {
  return (path) => {
    const db = new BetterSqlite3(path);
    try {
      db.exec(MIGRATION_1 + migration2 + ROWS + more);
      db.pragma('user_version = 2');
    } finally {
      db.close();
    }
  };
}

export const legacyFiles: readonly LegacyFile[] = [
  {
    name: 'schema 2 as 0575a80 wrote it (no waiting_on, no not_before)',
    create: creator(MIGRATION_2_AT_0575A80),
    c5WaitingOn: undefined,
    hasParked: false,
  },
  {
    name: 'schema 2 as fc8d06c wrote it (no not_before, no contacts_parked)',
    create: creator(
      MIGRATION_2_AT_FC8D06C,
      `UPDATE contacts SET waiting_on = 'OpenAI' WHERE id = 'c5';`,
    ),
    c5WaitingOn: 'OpenAI',
    hasParked: false,
  },
  {
    name: 'schema 2 as 9112bd3 and later wrote it (the edited migration 2)',
    create: creator(
      MIGRATION_2_AT_9112BD3,
      `UPDATE contacts SET waiting_on = 'OpenAI' WHERE id = 'c5';
       INSERT INTO contacts (id, phone, data, state, due_at, not_before, waiting_on, claims,
                             failed_attempts, reason, created_at, updated_at)
       VALUES ('c6', '+14155550006', '${data(6)}', 'deferred', NULL, ${LEGACY_T0 + 1_000},
               'ElevenLabs', 1, 0, 'circuit open', ${LEGACY_T0}, ${LEGACY_T0});`,
    ),
    c5WaitingOn: 'OpenAI',
    hasParked: true,
  },
];
