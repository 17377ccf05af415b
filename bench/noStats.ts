// For the probes: the planner's view of a first load's full run, where the base tables
// were filled inside the run's one transaction and nothing has analyzed them. Each table
// is copied into a temporary table of the same name (with its indexes, no statistics;
// autovacuum never analyzes temporary tables), which unqualified names then resolve to
// (pg_temp comes first on the search path) until the transaction ends. Deleting rows of
// pg_statistic would need a superuser.
import type { SqlClient } from "@effect/sql"
import { Effect } from "effect"

export const shadowWithoutStatistics = (sql: SqlClient.SqlClient, tables: ReadonlyArray<string>) =>
  Effect.forEach(tables, (table) =>
    Effect.gen(function*() {
      yield* sql`CREATE TEMP TABLE ${sql(table)} (LIKE ${sql(`public.${table}`)} INCLUDING ALL) ON COMMIT DROP`
      yield* sql`INSERT INTO ${sql(`pg_temp.${table}`)} SELECT * FROM ${sql(`public.${table}`)}`
    }), { discard: true })
