import type { Database } from 'better-sqlite3';
import {
  requeuedCheckpoints,
  type Checkpoints,
  type ContactState,
  type RequeueResult,
} from './call-queue.ts';

interface RequeueRow {
  id: string;
  state: ContactState;
  checkpoints: string;
}

/** What `requeue` runs. */
export const requeueSql = {
  failed: `SELECT id, state, checkpoints FROM contacts WHERE state = 'failed' ORDER BY seq`,
  byId: 'SELECT id, state, checkpoints FROM contacts WHERE id = ?',
  putBack: `UPDATE contacts
     SET state = 'pending', due_at = @now, failed_attempts = 0, reason = NULL,
         waiting_on = NULL, not_before = NULL, checkpoints = @checkpoints, updated_at = @now
     WHERE id = @id AND state = 'failed'`,
} as const;

/**
 * The SQLite queue's `requeue`, as one function to run inside a transaction: failed contacts
 * become pending and due at `now`, their counted failures and reason cleared.
 */
export function prepareRequeue(db: Database) {
  const failed = db.prepare<[], RequeueRow>(requeueSql.failed);
  const byId = db.prepare<[string], RequeueRow>(requeueSql.byId);
  const putBack = db.prepare<{ id: string; checkpoints: string; now: number }>(requeueSql.putBack);
  return (ids: readonly string[] | undefined, now: number): RequeueResult => {
    const result: RequeueResult = { requeued: [], notFound: [], notFailed: [] };
    const rows =
      ids === undefined
        ? failed.all()
        : [...new Set(ids)].flatMap((id) => {
            const row = byId.get(id);
            if (row === undefined) result.notFound.push(id);
            else if (row.state !== 'failed') result.notFailed.push({ id, state: row.state });
            return row?.state === 'failed' ? [row] : [];
          });
    for (const row of rows) {
      const kept = requeuedCheckpoints(JSON.parse(row.checkpoints) as Checkpoints);
      putBack.run({ id: row.id, checkpoints: JSON.stringify(kept), now });
      result.requeued.push(row.id);
    }
    return result;
  };
}
