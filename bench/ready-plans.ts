// Probe: the plans of 再発送リスト's query on a database the bench kept
// (`npx tsx bench/run.ts --scale 300000 --keep`), for each path the workbook takes (every
// ready order; only the overdue ones, once the sheet is past the cap) and each query form
// (the lateral form, kept as the test's reference, and the one the report runs), twice:
// with the statistics the database has now (autovacuum analyzed it after the run
// committed, as before a night) and with the base tables' statistics taken away inside
// the probe's transaction (as in a full run on a first load, where nothing analyzed
// them). Prints each plan's execution time, and with --plans the plans themselves
// (EXPLAIN ANALYZE, BUFFERS). Everything is rolled back; asserts nothing.
//
//   npx tsx bench/ready-plans.ts --db /tmp/kk-bench-db-XXXX [--plans] [--as-of 2023-09-06]
import "./nodeFlags.ts"
import { SqlClient } from "@effect/sql"
import type { Statement } from "@effect/sql"
import { Effect } from "effect"
import { latestRun, probeKeptDatabase } from "./keptDatabase.ts"
import { shadowWithoutStatistics } from "./noStats.ts"
import { readyToReshipStatement } from "../src/Store/ShippingQueries.ts"
import { lateralReadyReference } from "../test/support/readyReference.ts"

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined)
const dataDir = argValue("--db")!
const showPlans = process.argv.includes("--plans")
const baseTables = ["findings", "orders", "order_items", "parcel_lines", "shipping_addresses", "jp_calendar"]

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const { asOf: lastAsOf, runId } = yield* latestRun
  const asOf = argValue("--as-of") ?? lastAsOf
  const counts = yield* sql<{ ready: number; overdue: number }>`
    SELECT count(*) FILTER (WHERE code = 'SHIP_READY')::int AS ready, count(*) FILTER (WHERE code = 'SHIP_NOT_RESHIPPED')::int AS overdue
    FROM findings WHERE closed_on IS NULL`
  console.log(`run ${runId}, as of ${asOf}: SHIP_READY ${counts[0]!.ready}, SHIP_NOT_RESHIPPED ${counts[0]!.overdue} open`)
  const analyzed = yield* sql<{ relname: string; last: string | null }>`
    SELECT relname, greatest(last_analyze, last_autoanalyze)::text AS last FROM pg_stat_user_tables
    WHERE relname IN ${sql.in(baseTables)} ORDER BY relname`
  console.log(`analyzed: ${analyzed.map((t) => `${t.relname} ${t.last ?? "never"}`).join(", ")}`)

  const explain = (label: string, statement: Statement.Statement<unknown>) =>
    Effect.gen(function*() {
      const [text, params] = statement.compile()
      const plan = yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) ${text}`, params as Array<unknown>)
      const lines = plan.map((r) => r["QUERY PLAN"])
      console.log(`  ${label}: ${lines.find((l) => l.startsWith("Execution Time"))}`)
      if (showPlans) console.log(lines.map((l) => `      ${l}`).join("\n"))
    })

  const paths = (stats: string) =>
    Effect.gen(function*() {
      console.log(`statistics: ${stats}`)
      for (const overdueOnly of [false, true]) {
        const cut = overdueOnly ? "overdue only" : "every ready order"
        yield* explain(`lateral, ${cut}`, sql.unsafe(lateralReadyReference(runId, asOf, overdueOnly)))
        yield* explain(`report's, ${cut}`, yield* readyToReshipStatement(sql, runId, asOf, { overdueOnly }))
      }
    })

  yield* paths("as stored")
  // As on a first load: no statistics on the base tables (the copies go with the rollback).
  yield* shadowWithoutStatistics(sql, baseTables)
  yield* paths("none on the base tables (as a first load's full run)")
})

await probeKeptDatabase(dataDir, program)
