// The run analyses what its own transaction loaded (src/Store/Statistics.ts): a table it
// filled gets statistics the planner can use before the transaction commits; a table
// it changed by a little, or not at all, is left as it is; a table an earlier
// transaction filled and nothing analysed since is analysed too. A run analyses the
// findings its merge wrote before its reports read them.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { analyzeChangedTables } from "../../src/Store/Statistics.ts"
import * as path from "node:path"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, databaseLayer, query, runPipeline } from "../support/testDatabase.ts"

const inOneTransaction = <A>(url: string, body: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => body(sql).pipe(sql.withTransaction)).pipe(Effect.provide(databaseLayer(url)), Effect.orDie)
  )

const tablesOf = (analysed: ReadonlyArray<{ readonly table: string }>) => analysed.map((a) => a.table)

describe("analysing the tables a run loaded", () => {
  it("analyses inside the transaction a table it filled, and leaves alone tables changed by a little or not at all", async () => {
    const url = await createTestDatabase()
    await query(url, "CREATE TABLE loaded (id int PRIMARY KEY, kind text NOT NULL)")
    await query(url, "CREATE TABLE untouched (id int)")

    // A first load: 5,000 rows with 4 kinds, no statistics before.
    const first = await inOneTransaction(url, (sql) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO loaded SELECT i, 'kind ' || (i % 4) FROM generate_series(1, 5000) i`
        const analysed = yield* analyzeChangedTables(sql)
        // Seen inside the same transaction, before it commits.
        const stats = yield* sql<{ n_distinct: number; reltuples: number }>`
          SELECT s.n_distinct, c.reltuples FROM pg_stats s JOIN pg_class c ON c.relname = s.tablename
          WHERE s.schemaname = current_schema() AND s.tablename = 'loaded' AND s.attname = 'kind'`
        return { analysed, stats }
      }))
    // (The migrations' own small writes on the same connection may be counted too.)
    expect(tablesOf(first.analysed)).toContain("loaded")
    expect(tablesOf(first.analysed)).not.toContain("untouched")
    expect(first.stats).toEqual([{ n_distinct: 4, reltuples: 5000 }])

    // A quiet night: 100 new rows against 5,000 counted (under 50 + 10 %).
    const quiet = await inOneTransaction(url, (sql) =>
      Effect.gen(function*() {
        yield* sql`INSERT INTO loaded SELECT i, 'kind 9' FROM generate_series(5001, 5100) i`
        return yield* analyzeChangedTables(sql)
      }))
    expect(tablesOf(quiet)).not.toContain("loaded")

    // A busy one: 1,000 rows updated.
    const busy = await inOneTransaction(url, (sql) =>
      Effect.gen(function*() {
        yield* sql`UPDATE loaded SET kind = 'kind 8' WHERE id <= 1000`
        return yield* analyzeChangedTables(sql)
      }))
    expect(tablesOf(busy)).toContain("loaded")
  })

  it("analyses a table an earlier transaction filled that nothing has analysed since, once", async () => {
    const url = await createTestDatabase()
    // Autovacuum kept away, as when a run starts right after the commit that filled it.
    await query(url, "CREATE TABLE committed_load (id int PRIMARY KEY, kind text NOT NULL) WITH (autovacuum_enabled = false)")
    await query(url, "INSERT INTO committed_load SELECT i, 'kind ' || (i % 3) FROM generate_series(1, 3000) i")
    const next = await inOneTransaction(url, (sql) => analyzeChangedTables(sql))
    expect(tablesOf(next)).toContain("committed_load")
    const [stats] = await query<{ n_distinct: number }>(url,
      "SELECT n_distinct FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'committed_load' AND attname = 'kind'")
    expect(stats).toEqual({ n_distinct: 3 })
    // Analysed now: the run after leaves it alone.
    const after = await inOneTransaction(url, (sql) => analyzeChangedTables(sql))
    expect(tablesOf(after)).not.toContain("committed_load")
  })

  it("gives a run's reports statistics of the findings its merge wrote", async () => {
    const url = await createTestDatabase()
    const result = await runPipeline(url, { inbox: path.resolve(import.meta.dirname, "../../fixtures/sample"), outDir: tempDir(), asOf: "2023-09-05" })
    expect(result.exitCode).toBe(0)
    // ANALYZE run by the command (autovacuum's own are counted apart, in autoanalyze_count).
    const [findings] = await query<{ analyze_count: number }>(url,
      "SELECT analyze_count::int AS analyze_count FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'findings'")
    expect(findings!.analyze_count).toBeGreaterThanOrEqual(1)
  })
})
