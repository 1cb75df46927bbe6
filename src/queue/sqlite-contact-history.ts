import type { Database } from 'better-sqlite3';
import {
  contactHistoryDefaults,
  type ContactEvent,
  type ContactHistory,
  type ContactHistoryOptions,
} from './contact-history.ts';
import type { StorageGuard } from './sqlite-circuit-store.ts';

/**
 * Each contact's event history in the queue's SQLite file (`contact_events`): the last
 * `keepPerContact` events of each contact. A contact removed from the queue takes its history
 * with it.
 */
export class SqliteContactHistory implements ContactHistory {
  readonly #guard: StorageGuard;
  readonly #keep: number;
  readonly #append;
  readonly #list;

  constructor(db: Database, guard: StorageGuard, options: ContactHistoryOptions = {}) {
    this.#guard = guard;
    this.#keep = options.keepPerContact ?? contactHistoryDefaults.keepPerContact;
    const insert = db.prepare<{ contactId: string; at: number; record: string }>(
      'INSERT INTO contact_events (contact_id, at, record) VALUES (@contactId, @at, @record)',
    );
    const prune = db.prepare<{ contactId: string; keep: number }>(
      `DELETE FROM contact_events
       WHERE contact_id = @contactId AND id < (
         SELECT MIN(id) FROM (SELECT id FROM contact_events WHERE contact_id = @contactId
                              ORDER BY id DESC LIMIT @keep))`,
    );
    this.#list = db.prepare<{ contactId: string; limit: number }, { at: number; record: string }>(
      `SELECT at, record FROM (SELECT id, at, record FROM contact_events
                               WHERE contact_id = @contactId ORDER BY id DESC LIMIT @limit)
       ORDER BY id`,
    );
    this.#append = db.transaction((events: readonly ContactEvent[]) => {
      const touched = new Set<string>();
      for (const event of events) {
        insert.run({
          contactId: event.contactId,
          at: Math.floor(event.at),
          record: JSON.stringify(event.record),
        });
        touched.add(event.contactId);
      }
      for (const contactId of touched) prune.run({ contactId, keep: this.#keep });
    });
  }

  async append(events: readonly ContactEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.#guard(() => this.#append.immediate(events));
  }

  async list(contactId: string, limit = this.#keep): Promise<ContactEvent[]> {
    const rows = this.#guard(() => this.#list.all({ contactId, limit }));
    return rows.map((row) => ({
      contactId,
      at: row.at,
      record: JSON.parse(row.record) as Record<string, unknown>,
    }));
  }
}
