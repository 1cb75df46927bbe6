import type { Database } from 'better-sqlite3';
import type { CircuitSnapshot, CircuitStateStore } from '../resilience/index.ts';

/** Runs a statement; a storage failure becomes a QueueStorageError naming the file. */
export type StorageGuard = <T>(run: () => T) => T;

interface CircuitRow {
  snapshot: string;
  version: number;
}

/**
 * Breaker state kept in the queue's SQLite file (`circuits`), so a restart keeps an open
 * circuit open until its recovery time and one held open by hand held. The newer snapshot wins
 * (as in `InMemoryCircuitStateStore`); every save takes the next version, which orders two
 * saves of the same millisecond. Synchronous: a change is on disk before the next one is made.
 * A failed write throws (QueueStorageError): the breaker reports it through `onStoreError`.
 */
export class SqliteCircuitStateStore implements CircuitStateStore {
  readonly #guard: StorageGuard;
  readonly #load;
  readonly #save;

  constructor(db: Database, guard: StorageGuard) {
    this.#guard = guard;
    this.#load = db.prepare<[string], CircuitRow>(
      'SELECT snapshot, version FROM circuits WHERE service = ?',
    );
    this.#save = db.prepare<{ service: string; snapshot: string; updatedAt: number }>(
      `INSERT INTO circuits (service, snapshot, version, updated_at)
       VALUES (@service, @snapshot, (SELECT coalesce(MAX(version), 0) + 1 FROM circuits), @updatedAt)
       ON CONFLICT (service) DO UPDATE
         SET snapshot = excluded.snapshot, version = excluded.version,
             updated_at = excluded.updated_at
         WHERE excluded.updated_at >= circuits.updated_at`,
    );
  }

  load(service: string): CircuitSnapshot | undefined {
    const row = this.#guard(() => this.#load.get(service));
    if (row === undefined) return undefined;
    return { ...(JSON.parse(row.snapshot) as CircuitSnapshot), version: row.version };
  }

  save(snapshot: CircuitSnapshot): void {
    // the version is the store's, and a stack says nothing after a restart
    const { version: _version, ...kept } = snapshot;
    const error = kept.error && { ...kept.error, stack: undefined };
    const params = {
      service: snapshot.service,
      snapshot: JSON.stringify({ ...kept, error }),
      updatedAt: Math.floor(snapshot.updatedAt),
    };
    this.#guard(() => this.#save.run(params));
  }
}
