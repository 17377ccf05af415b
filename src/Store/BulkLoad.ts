// A first load builds a table's secondary indexes after its rows, not entry by entry
// (issue 12). Inserting a million rows into a table with an index on a keyed hash puts
// each entry at a random place of a growing B-tree (a page split, a WAL record, a cache
// miss apiece); building the index once from the loaded rows is one sort. So when a
// statement is about to fill an empty table with many rows, the table's non-unique
// indexes are dropped before it and made again from their own definitions after it,
// inside the run's transaction: a failed run rolls the drop back with everything else.
// Unique indexes stay, since ON CONFLICT needs them and they keep the keys whole.
//
// Only a table that held nothing when the run began: DROP INDEX locks the table until
// the run commits, and a table with committed rows may have readers (the desk reads
// orders and parcels while a run works); rows the run itself wrote are seen by no one
// else until it commits, so to the desk such a table is empty throughout. (A full run's
// refill of payout_assignments and payout_request_state, emptied by TRUNCATE, gained
// nothing this way at 1M: its single indexes were as cheap to keep up as to rebuild.)
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

/** Fewer rows than this go in entry by entry: rebuilding an index costs a scan of its table. */
export const bulkLoadRows = 50_000

/** The table's indexes that are neither unique nor behind a constraint, with the statement that makes each. */
const secondaryIndexes = (sql: SqlClient.SqlClient, table: string) =>
  sql<{ schema: string; name: string; definition: string }>`
    SELECT n.nspname AS schema, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_namespace n ON n.oid = i.relnamespace
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE x.indrelid = ${table}::regclass AND NOT x.indisunique AND NOT x.indisprimary
      -- Only the table's owner may drop its indexes (a server of DATABASE_URL may run
      -- keshikomi under a role that does not own them): then they are kept up as they are.
      AND pg_has_role(t.relowner, 'MEMBER')
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
    ORDER BY i.relname`

/** True when `table` holds no row (as this transaction sees it). */
export const tableIsEmpty = (sql: SqlClient.SqlClient, table: string) =>
  sql<{ empty: boolean }>`SELECT NOT EXISTS (SELECT 1 FROM ${sql(table)}) AS empty`.pipe(Effect.map((rows) => rows[0]!.empty))

/** The rows `table` held when it was last analysed (0 when never). */
export const analysedRows = (sql: SqlClient.SqlClient, table: string) =>
  sql<{ rows: number }>`SELECT greatest(reltuples, 0)::bigint::int AS rows FROM pg_class WHERE oid = ${table}::regclass`.pipe(
    Effect.map((rows) => rows[0]?.rows ?? 0)
  )

/**
 * Whether `table` held no row when run `runId` began: empty when the run first asks, then
 * so for the rest of that run (its own rows do not count). Run ids are never used twice,
 * so what a failed run found is never read by another.
 */
export const makeFirstLoads = () => {
  let current: { readonly runId: number; readonly tables: Set<string> } = { runId: -1, tables: new Set() }
  return (sql: SqlClient.SqlClient, table: string, runId: number) =>
    Effect.gen(function*() {
      if (current.runId !== runId) current = { runId, tables: new Set() }
      if (current.tables.has(table)) return true
      const empty = yield* tableIsEmpty(sql, table)
      if (empty) current.tables.add(table)
      return empty
    })
}

/**
 * Runs `load`, which puts `rows` rows into `table`, a table that held no row when the run
 * began (makeFirstLoads, or tableIsEmpty before the run's only load of it); with
 * bulkLoadRows or more, the table's secondary indexes are built after it instead of kept
 * up during it.
 */
export const withIndexesBuiltAfter = <A, E, R>(
  sql: SqlClient.SqlClient,
  table: string,
  rows: number,
  load: Effect.Effect<A, E, R>
) =>
  Effect.gen(function*() {
    if (rows < bulkLoadRows) return yield* load
    const indexes = yield* secondaryIndexes(sql, table)
    for (const index of indexes) yield* sql`DROP INDEX ${sql(index.schema)}.${sql(index.name)}`
    const result = yield* load
    // The catalog's own definition of each index (pg_get_indexdef), not text of ours.
    for (const index of indexes) yield* sql.unsafe(index.definition)
    return result
  })
