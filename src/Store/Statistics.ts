// Planner statistics for the tables a run has just loaded (issue 12). The run is one
// transaction: autovacuum cannot see its uncommitted rows, so on a first load the
// tables ingest filled have no column statistics and the planner guesses (an equality
// on an unanalysed column is 0.5 % of the rows, a join key has 200 distinct values),
// which at scale turns hash joins into nested loops. ANALYZE inside the transaction
// does count the transaction's own rows. It samples at most 30,000 rows per table, so
// it costs about the same at 100k and at 1M; a quiet night changes too little for it.
import type { SqlClient } from "@effect/sql"
import { Duration, Effect } from "effect"

// As autovacuum decides (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor):
// a table whose rows changed by more than this since its statistics were taken.
const changedRowsThreshold = 50
const changedShareThreshold = 0.1

/**
 * ANALYZEs every table of the schema that the current transaction changed a lot: never
 * analysed (or emptied since) and now holding rows, or more rows inserted, updated and
 * deleted in this transaction than a tenth of what its statistics counted. Returns the
 * tables analysed with their seconds (for the log).
 */
export const analyzeChangedTables = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    // pg_stat_xact_user_tables counts this transaction's changes only; reltuples is -1
    // for a table never analysed (or truncated since).
    const changed = yield* sql<{ table_name: string }>`
      SELECT c.relname AS table_name
      FROM pg_stat_xact_user_tables x
      JOIN pg_class c ON c.oid = x.relid
      WHERE x.schemaname = current_schema()
        AND x.n_tup_ins + x.n_tup_upd + x.n_tup_del > 0
        AND (c.reltuples < 0
             OR x.n_tup_ins + x.n_tup_upd + x.n_tup_del > ${changedRowsThreshold} + ${changedShareThreshold}::float8 * c.reltuples)
      ORDER BY c.relname`
    const analysed: Array<{ readonly table: string; readonly seconds: number }> = []
    for (const { table_name } of changed) {
      const [elapsed] = yield* Effect.timed(sql`ANALYZE ${sql(table_name)}`)
      analysed.push({ table: table_name, seconds: Math.round(Duration.toMillis(elapsed)) / 1000 })
    }
    return analysed
  })
