import type { Database } from 'better-sqlite3';
import type { ContactPage, ListedContact, PageOptions, RemoveResult } from './queue-admin.ts';
import { toStatus } from './sqlite-rows.ts';
import type { StatusRow } from './sqlite-statements.ts';

const COLUMNS =
  'seq, id, data, state, claims, failed_attempts, due_at, not_before, reason, waiting_on, checkpoints, updated_at';

type ListedRow = StatusRow & { seq: number };

function toListed(row: ListedRow): ListedContact {
  return { ...toStatus(row), seq: row.seq };
}

/** The SQLite queue's QueueAdmin statements, prepared once per connection. */
export function prepareBrowse(db: Database) {
  const page = db.prepare<{ state: string | null; before: number; limit: number }, ListedRow>(
    `SELECT ${COLUMNS} FROM contacts
     WHERE seq < @before AND (@state IS NULL OR state = @state)
     ORDER BY seq DESC LIMIT @limit`,
  );
  const byId = db.prepare<[string], ListedRow>(`SELECT ${COLUMNS} FROM contacts WHERE id = ?`);
  const bySeq = db.prepare<[number], ListedRow>(`SELECT ${COLUMNS} FROM contacts WHERE seq = ?`);
  const stateOf = db.prepare<[string], string>('SELECT state FROM contacts WHERE id = ?').pluck();
  const removeContact = db.prepare<[string]>(
    `DELETE FROM contacts WHERE id = ? AND state <> 'in_progress'`,
  );
  const removeHistory = db.prepare<[string]>('DELETE FROM contact_events WHERE contact_id = ?');
  const remove = db.transaction((id: string): RemoveResult => {
    const state = stateOf.get(id);
    if (state === undefined) return 'not_found';
    if (state === 'in_progress') return 'in_progress';
    removeContact.run(id);
    removeHistory.run(id);
    return 'removed';
  });
  return {
    page(options: PageOptions): ContactPage {
      const rows = page.all({
        state: options.state ?? null,
        before: options.before ?? Number.MAX_SAFE_INTEGER,
        limit: options.limit + 1,
      });
      const more = rows.length > options.limit;
      const contacts = rows.slice(0, options.limit).map(toListed);
      return { contacts, next: more ? contacts.at(-1)?.seq : undefined };
    },
    find(key: { id: string } | { seq: number }): ListedContact | undefined {
      const row = 'id' in key ? byId.get(key.id) : bySeq.get(key.seq);
      return row === undefined ? undefined : toListed(row);
    },
    remove: (id: string): RemoveResult => remove.immediate(id),
  };
}

export type Browse = ReturnType<typeof prepareBrowse>;
