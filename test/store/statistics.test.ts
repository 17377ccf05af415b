// The run analyses what its own transaction loaded (src/Store/Statistics.ts): a table it
// filled gets statistics the planner can use before the transaction commits; a table
// it changed by a little, or not at all, is left as it is.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { analyzeChangedTables } from "../../src/Store/Statistics.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

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
})
