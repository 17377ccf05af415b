// A first load builds the table's secondary indexes after its rows (src/Store/BulkLoad.ts):
// only for a table empty when the run began and a load of bulkLoadRows or more; the
// indexes come back with their own definitions and hold every row; another session's
// reads of the table wait for the load's commit (docs/desk.md); a load that fails leaves
// the indexes as they were.
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import pg from "pg"
import { describe, expect, it } from "vitest"
import { bulkLoadRows, makeFirstLoads, withIndexesBuiltAfter } from "../../src/Store/BulkLoad.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

const inOneTransaction = <A>(url: string, body: (sql: SqlClient.SqlClient) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => body(sql).pipe(sql.withTransaction)).pipe(Effect.provide(databaseLayer(url)))
  )

const indexesOf = (sql: SqlClient.SqlClient) =>
  sql<{ name: string; definition: string; valid: boolean }>`
    SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisvalid AS valid
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
    WHERE x.indrelid = 'loaded'::regclass ORDER BY i.relname`

const setUp = async () => {
  const url = await createTestDatabase()
  await query(url, "CREATE TABLE loaded (id int PRIMARY KEY, kind text NOT NULL, seller int, run int)")
  await query(url, "CREATE INDEX loaded_seller_idx ON loaded (seller, id)")
  await query(url, "CREATE INDEX loaded_open_idx ON loaded (kind) WHERE run IS NULL")
  return url
}

/** Inserts rows first..last; returns the index names seen while the rows went in. */
const load = (sql: SqlClient.SqlClient, first: number, last: number) =>
  withIndexesBuiltAfter(
    sql,
    "loaded",
    last - first + 1,
    Effect.gen(function*() {
      yield* sql`
        INSERT INTO loaded SELECT i, 'kind ' || (i % 7), i % 101, CASE WHEN i % 3 = 0 THEN i END
        FROM generate_series(${first}::int, ${last}::int) i`
      return (yield* indexesOf(sql)).map((i) => i.name)
    })
  )

describe("a first load's indexes", () => {
  it("are built after the rows of a large load into an empty table, as defined, holding every row", async () => {
    const url = await setUp()
    const before = await inOneTransaction(url, indexesOf)
    const seen = await inOneTransaction(url, (sql) => load(sql, 1, bulkLoadRows + 10))
    // While the rows went in: the key only.
    expect(seen).toEqual(["loaded_pkey"])
    const after = await inOneTransaction(url, indexesOf)
    expect(after).toEqual(before)
    expect(after.every((i) => i.valid)).toBe(true)
    // Read through each index alone: every row is in it.
    const counts = await inOneTransaction(url, (sql) =>
      Effect.gen(function*() {
        yield* sql`SET LOCAL enable_seqscan = off`
        yield* sql`SET LOCAL enable_bitmapscan = off`
        const bySeller = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM loaded WHERE seller = 5 AND id > 0`
        const open = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM loaded WHERE kind = 'kind 1' AND run IS NULL`
        const plan = yield* sql<{ "QUERY PLAN": string }>`EXPLAIN SELECT count(*) FROM loaded WHERE seller = 5 AND id > 0`
        return { bySeller: bySeller[0]!.n, open: open[0]!.n, plan: plan.map((p) => p["QUERY PLAN"]).join("\n") }
      }))
    const rows = Array.from({ length: bulkLoadRows + 10 }, (_, i) => i + 1)
    expect(counts.bySeller).toBe(rows.filter((i) => i % 101 === 5).length)
    expect(counts.open).toBe(rows.filter((i) => i % 7 === 1 && i % 3 !== 0).length)
    expect(counts.plan).toContain("loaded_seller_idx")
  })

  it("are kept up row by row when the load is small, or the table held rows when the run began", async () => {
    const url = await setUp()
    const small = await inOneTransaction(url, (sql) => load(sql, 1, bulkLoadRows - 1))
    expect(small).toEqual(["loaded_open_idx", "loaded_pkey", "loaded_seller_idx"])

    const emptied = await setUp()
    const isFirstLoad = makeFirstLoads()
    // Run 1 finds the table empty, and it stays first-loaded for the run's second file.
    const run1 = await inOneTransaction(emptied, (sql) =>
      Effect.gen(function*() {
        const first = yield* isFirstLoad(sql, "loaded", 1)
        yield* load(sql, 1, bulkLoadRows)
        const second = yield* isFirstLoad(sql, "loaded", 1)
        const seen = yield* load(sql, bulkLoadRows + 1, 2 * bulkLoadRows)
        return { first, second, seen }
      }))
    expect(run1).toEqual({ first: true, second: true, seen: ["loaded_pkey"] })
    // Run 2 finds the rows run 1 committed.
    const run2 = await inOneTransaction(emptied, (sql) => isFirstLoad(sql, "loaded", 2))
    expect(run2).toBe(false)
  })

  it("keep another session's reads of the table waiting until the load commits", async () => {
    const url = await setUp()
    // A reader that gives up after 300 ms instead of waiting, as the desk would wait.
    const read = async () => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query("SET lock_timeout = '300ms'")
        const result = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM loaded")
        return `read ${result.rows[0]!.n}`
      } catch (error) {
        return String(error)
      } finally {
        await client.end()
      }
    }
    const during = await inOneTransaction(url, (sql) =>
      withIndexesBuiltAfter(
        sql,
        "loaded",
        bulkLoadRows,
        Effect.gen(function*() {
          yield* sql`INSERT INTO loaded SELECT i, 'kind', 1, NULL FROM generate_series(1, ${bulkLoadRows}::int) i`
          return yield* Effect.promise(read)
        })
      ))
    expect(during).toContain("lock timeout")
    expect(await read()).toBe(`read ${bulkLoadRows}`)
  })

  it("are as they were when the load fails", async () => {
    const url = await setUp()
    const before = await inOneTransaction(url, indexesOf)
    const failed = await inOneTransaction(url, (sql) =>
      withIndexesBuiltAfter(
        sql,
        "loaded",
        bulkLoadRows,
        Effect.gen(function*() {
          yield* sql`INSERT INTO loaded SELECT i, 'kind', 1, NULL FROM generate_series(1, ${bulkLoadRows}::int) i`
          // A repeated key: the statement fails after the indexes were dropped.
          yield* sql`INSERT INTO loaded VALUES (1, 'again', 1, NULL)`
        })
      )).then(() => "committed", (error) => String(error))
    expect(failed).toContain("duplicate key")
    expect(await inOneTransaction(url, indexesOf)).toEqual(before)
    const [{ n }] = await inOneTransaction(url, (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM loaded`)
    expect(n).toBe(0)
  })
})
