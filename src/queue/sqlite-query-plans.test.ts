import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { requeueSql } from './sqlite-requeue.ts';
import { migrateSqliteSchema } from './sqlite-schema.ts';
import { prepareStatements } from './sqlite-statements.ts';

const db = new BetterSqlite3(':memory:');
migrateSqliteSchema(db);
afterAll(() => db.close());

/** The steps of a statement's plan (EXPLAIN QUERY PLAN), each parameter bound to NULL. */
function planOf(sql: string): string[] {
  const explain = db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`);
  const named = [...sql.matchAll(/@(\w+)/g)].map((match) => [match[1], null]);
  const rows =
    named.length > 0
      ? explain.all(Object.fromEntries(named))
      : explain.all(...Array.from(sql.matchAll(/\?/g), () => null));
  return rows.map((row) => row.detail);
}

/** Indexes that hold some of the contacts only. */
const partialIndexes = new Set(
  db
    .prepare<[], string>(
      `SELECT name FROM sqlite_master
       WHERE type = 'index' AND tbl_name = 'contacts' AND sql LIKE '% WHERE %'`,
    )
    .pluck()
    .all(),
);

/** A step that reads every contact: a scan of the table, or of an index that holds them all. */
function readsEveryContact(step: string): boolean {
  const scan = /^SCAN contacts(?: USING (?:COVERING )?INDEX (\w+))?/.exec(step);
  return scan !== null && (scan[1] === undefined || !partialIndexes.has(scan[1]));
}

const statements: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(prepareStatements(db)).map(([name, statement]) => [name, statement.source]),
  ),
  ...Object.fromEntries(Object.entries(requeueSql).map(([name, sql]) => [`requeue.${name}`, sql])),
};

/** The statements that read every contact on purpose. */
const readingAll = new Set(['listAll', 'counts']);

describe('the SQLite queue’s query plans', () => {
  it.each(Object.keys(statements).filter((name) => !readingAll.has(name)))(
    '%s reads an index, not every contact',
    (name) => {
      expect(planOf(statements[name]!).filter(readsEveryContact)).toEqual([]);
    },
  );

  it('counts reads every contact from contacts_state alone, never from the table', () => {
    // Counting every state visits every contact; the smallest thing that holds the state is
    // this index (a sixth of the table's pages with the smallest contacts, less with more).
    expect(planOf(statements.counts!)).toEqual([
      'SCAN contacts USING COVERING INDEX contacts_state',
    ]);
  });

  it('listAll reads the table in seq order, so its limit ends the read', () => {
    expect(planOf(statements.listAll!)).toEqual(['SCAN contacts']);
  });

  it('tells a scan of the table or of a whole index from one of a partial index', () => {
    const steps = (sql: string) => planOf(sql).filter(readsEveryContact);
    expect(steps('SELECT id FROM contacts WHERE reason = ?')).toEqual(['SCAN contacts']);
    expect(steps('SELECT DISTINCT state FROM contacts')).toEqual([
      'SCAN contacts USING COVERING INDEX contacts_state',
    ]);
    const deferred = `SELECT waiting_on FROM contacts INDEXED BY contacts_deferred
                      WHERE state = 'deferred'`;
    expect(planOf(deferred)).toEqual(['SCAN contacts USING COVERING INDEX contacts_deferred']);
    expect(steps(deferred)).toEqual([]);
  });
});
