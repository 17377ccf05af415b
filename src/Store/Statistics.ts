// Planner statistics for the tables a run has just loaded (issue 12). The run is one
// transaction: autovacuum cannot see its uncommitted rows, so on a first load the
// tables ingest filled have no column statistics and the planner guesses (an equality
// on an unanalysed column is 0.5 % of the rows, a join key has 200 distinct values),
// which at scale turns hash joins into nested loops. ANALYZE inside the transaction
// does count the transaction's own rows. It samples at most 30,000 rows per table, so
// it costs about the same at 100k and at 1M; a quiet night changes too little for it.
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { loggedSeconds } from "../Log.ts"

// As autovacuum decides (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor):
// a table whose rows changed by more than this since its statistics were taken.
const changedRowsThreshold = 50
const changedShareThreshold = 0.1

/**
 * ANALYZEs every table of the schema that has no statistics the planner can trust: one
 * the current transaction changed a lot (never analysed, or emptied since, and now
 * holding rows; or more rows inserted, updated and deleted in this transaction than a
 * tenth of what its statistics counted), and one that holds rows but was never analysed
 * at all. The latter is what an earlier run committed just before this one started:
 * autovacuum analyses a table a minute or more after the commit that filled it, and the
 * run right after a first load (or a run after a first load whose server stopped at once)
 * would otherwise plan on estimates of one row. Returns the tables analysed with their
 * seconds (for the log).
 */
export const analyzeChangedTables = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    // pg_stat_xact_user_tables counts this transaction's changes only; reltuples is -1
    // for a table never analysed (or truncated since).
    const changed = yield* sql<{ table_name: string }>`
      SELECT c.relname AS table_name
      FROM pg_stat_user_tables t
      JOIN pg_class c ON c.oid = t.relid
      LEFT JOIN pg_stat_xact_user_tables x ON x.relid = t.relid
      WHERE t.schemaname = current_schema()
        AND ((coalesce(x.n_tup_ins + x.n_tup_upd + x.n_tup_del, 0) > 0
              AND (c.reltuples < 0
                   OR x.n_tup_ins + x.n_tup_upd + x.n_tup_del > ${changedRowsThreshold} + ${changedShareThreshold}::float8 * c.reltuples))
             OR (c.reltuples < 0 AND t.n_live_tup > 0))
      ORDER BY c.relname`
    const analysed: Array<{ readonly table: string; readonly seconds: number }> = []
    for (const { table_name } of changed) {
      const [elapsed] = yield* Effect.timed(sql`ANALYZE ${sql(table_name)}`)
      analysed.push({ table: table_name, seconds: loggedSeconds(elapsed) })
    }
    return analysed
  })
