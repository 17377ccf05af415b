// Probe: where the time of shipping.xlsx's sheets goes, on a database the bench kept
// (`npx tsx bench/run.ts --scale 300000 --nights 1 --keep`: the last run is then the
// night). Each sheet is read as the workbook reads it for that run (capped or not, by the
// run's counts and the cap), in one transaction, several ways:
//   server   the query executed on the server alone (EXPLAIN ANALYZE's execution time;
//            再発送リスト only, with its working table's set-up)
//   fetch    the rows through the cursor into Node, sealed addresses left sealed
//   unseal   the same with the addresses opened (再発送リスト only): the difference
//   sheet 0  the sheet written with the zip's deflate at level 0: less the fetch, row XML
//   sheet 3  at the workbooks' level: less level 0, deflate
// and the summary sheet's queries. Each part also says Node's CPU (user + system, every
// thread: the zip's deflate and V8's GC helpers count): wall time beyond it is waiting,
// on the server or for a core. A capped Findings sheet is read both ways: by code, as the
// workbook asks for it, and sorted with the info findings, as it was asked before.
// Prints figures; asserts nothing.
//
//   npx tsx bench/sheets-probe.ts --db /tmp/kk-bench-db-XXXX [--cap 100000] [--sheet 再発送リスト]
//   … --lateral       再発送リスト from the lateral form it replaced (test/support/readyReference.ts)
//   … --no-stats      with the base tables' statistics taken away first (as a first load's full run)
//   … --explain       print 再発送リスト's plan (EXPLAIN ANALYZE, TIMING OFF)
//   … --copy         also read 再発送リスト's rows through COPY (FORMAT binary), counted and
//                    dropped, with up to 2 parallel workers and with none
//   … --work-mem 256MB  the probe's transaction with that work_mem instead of the server's
import "./nodeFlags.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Writable } from "node:stream"
import { SqlClient } from "@effect/sql"
import { Effect, Stream } from "effect"
import { Sealer } from "../src/Seal/Sealer.ts"
import { latestRun, probeKeptDatabase } from "./keptDatabase.ts"
import { shadowWithoutStatistics } from "./noStats.ts"
import { FindingsStore } from "../src/Store/FindingsStore.ts"
import { makeShippingQueries, openReadyRow, readyToReshipStatement, type SealedReadyRow } from "../src/Store/ShippingQueries.ts"
import { lateralReadyReference } from "../test/support/readyReference.ts"
import { findingsSheet, findingsSheetRows, inputCodes } from "../src/Report/FindingsSheet.ts"
import { actionSheet, awaitingSheet, readySheet } from "../src/Report/ShippingSheets.ts"
import { shippingActions } from "../src/Report/ShippingActions.ts"
import { capPlan, defaultSheetRowCap } from "../src/Report/SheetCap.ts"
import { copyOut, makeRowFormatter } from "../src/Store/CopyOut.ts"
import { newWorkbookWriter, prepareWorkbook, type SheetSpec, workbookZipLevel, writeSheet } from "../src/Report/Sheet.ts"

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined)
const dataDir = argValue("--db")!
const onlySheet = argValue("--sheet")
const cap = Number(argValue("--cap") ?? defaultSheetRowCap)
const noStats = process.argv.includes("--no-stats")
const lateral = process.argv.includes("--lateral")
const explain = process.argv.includes("--explain")
const workMem = argValue("--work-mem")
const viaCopy = process.argv.includes("--copy")
const actionGuides = Object.entries(shippingActions).map(([code, g]) => ({ code, ...g }))
const baseTables = ["findings", "orders", "order_items", "parcel_lines", "shipping_addresses", "jp_calendar", "reshipments"]

// 再発送リスト's query's columns (SealedReadyRow: the address as one sealed value).
const readyColumns = 17

const seconds = (began: number) => ((performance.now() - began) / 1000).toFixed(2)
// Node's own CPU (user + system) since `from`: the rest of the wall time is waiting (server, zip's pool).
let cpuFrom = process.cpuUsage()
const cpuMark = () => {
  cpuFrom = process.cpuUsage()
}
const cpuSeconds = () => {
  const used = process.cpuUsage(cpuFrom)
  return ((used.user + used.system) / 1e6).toFixed(2)
}

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const findings = yield* FindingsStore
  const queries = makeShippingQueries(sql, sealer)
  const { asOf, runId } = yield* latestRun
  if (noStats) {
    yield* shadowWithoutStatistics(sql, baseTables)
  }
  if (workMem !== undefined) yield* sql`SELECT set_config('work_mem', ${workMem}, true)`
  const [{ work_mem }] = yield* sql<{ work_mem: string }>`SELECT current_setting('work_mem') AS work_mem`
  const counts = yield* findings.countsForSide("shipping")
  const count = (code: string) => counts.get(code) ?? 0
  const findingsPlan = capPlan(counts, cap)
  const readyPlan = capPlan(counts, cap, ["SHIP_READY"])
  const awaitingPlan = capPlan(counts, cap, ["SHIP_AWAITING_PARCEL"])
  console.log(`run ${runId} as of ${asOf}, cap ${cap}${noStats ? ", no statistics on the base tables" : ""}: ` +
    `SHIP_READY ${count("SHIP_READY")} (overdue ${count("SHIP_NOT_RESHIPPED")}), awaiting ${count("SHIP_AWAITING_PARCEL")}, ` +
    `shipping findings ${findingsPlan.total}${findingsPlan.capped ? " (capped)" : ""}; work_mem ${work_mem}`)

  let began = performance.now()
  yield* queries.longestReady(asOf)
  const longest = seconds(began)
  began = performance.now()
  yield* queries.oldestNotReshipped(asOf)
  const oldest = seconds(began)
  began = performance.now()
  yield* queries.awaitingSellerCount()
  yield* Stream.runDrain(findings.closedBy(runId, "shipping").pipe(Stream.take(501)))
  console.log(`サマリー's queries: longestReady ${longest} s, oldestNotReshipped ${oldest} s, sellers and closed ${seconds(began)} s`)

  const overdueOnly = readyPlan.capped
  const readyStatement = () =>
    lateral
      ? Effect.succeed(sql.unsafe<SealedReadyRow>(lateralReadyReference(runId, asOf, overdueOnly)))
      : readyToReshipStatement(sql, runId, asOf, { overdueOnly })
  const readyRows = () => Stream.unwrap(Effect.map(readyStatement(), (s) => s.stream)).pipe(Stream.map(openReadyRow(sealer)), Stream.orDie)
  const sheets: ReadonlyArray<[string, SheetSpec<any>, () => Stream.Stream<any>]> = [
    [`再発送リスト${overdueOnly ? " (overdue only)" : ""}`, readySheet, readyRows],
    ["要対応", actionSheet, () => queries.needingAction(runId, actionGuides)],
    ["未着注文", awaitingSheet, () => (awaitingPlan.capped ? Stream.empty : queries.awaitingParcels(runId))],
    ["入力エラー", findingsSheet, () => findings.raisedBy(runId, "shipping", { codes: inputCodes })],
    [`Findings${findingsPlan.capped ? " (errors and warnings, asked by code)" : ""}`, findingsSheet, () =>
      findingsSheetRows(findings, runId, "shipping", findingsPlan)],
    // As the sheet read them before: every open finding sorted, the read stopped at the first info one.
    ...(findingsPlan.capped
      ? [["Findings (errors and warnings, sorted with the rest)", findingsSheet, () =>
        findings.raisedBy(runId, "shipping").pipe(Stream.takeWhile((f) => f.severity !== "info"))] as [string, SheetSpec<any>, () => Stream.Stream<any>]]
      : [])
  ]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-sheets-probe-"))
  for (const [name, spec, rows] of sheets.filter(([name]) => onlySheet === undefined || name.startsWith(onlySheet))) {
    const parts: Array<string> = []
    if (spec === readySheet) {
      began = performance.now()
      const statement = yield* readyStatement()
      const [text, params] = statement.compile()
      const plan = yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${text}`, params as Array<unknown>)
      const execution = plan.map((r) => r["QUERY PLAN"]).find((l) => l.startsWith("Execution Time"))
      if (explain) console.log(plan.map((r) => r["QUERY PLAN"]).join("\n"))
      parts.push(`server ${seconds(began)} s (${execution})`)
      began = performance.now()
      cpuMark()
      yield* Stream.runDrain((yield* readyStatement()).stream)
      parts.push(`fetch ${seconds(began)} s (node cpu ${cpuSeconds()} s)`)
      if (viaCopy) {
        const [{ workers: setting }] = yield* sql<{ workers: string }>`SELECT current_setting('max_parallel_workers_per_gather') AS workers`
        for (const workers of ["2", "0"]) {
          yield* sql`SELECT set_config('max_parallel_workers_per_gather', ${workers}, true)`
          const copied = yield* readyStatement()
          began = performance.now()
          cpuMark()
          const sink = new Writable({ write: (_chunk, _encoding, done) => done() })
          const rowsCopied = yield* copyOut(copied, sink, makeRowFormatter(readyColumns, 0, (_b, _s, _e, _o, at) => at))
          parts.push(`copy with ${workers} workers ${rowsCopied} rows ${seconds(began)} s (node cpu ${cpuSeconds()} s)`)
        }
        yield* sql`SELECT set_config('max_parallel_workers_per_gather', ${setting}, true)`
      }
    }
    began = performance.now()
    cpuMark()
    const n = yield* Stream.runFold(rows(), 0, (k) => k + 1)
    parts.push(`${spec === readySheet ? "fetch and unseal" : "fetch"} ${seconds(began)} s (node cpu ${cpuSeconds()} s)`)
    for (const level of [0, workbookZipLevel]) {
      const file = path.join(dir, `${level}.xlsx`)
      began = performance.now()
      cpuMark()
      const workbook = newWorkbookWriter({ filename: file }, level)
      prepareWorkbook(workbook)
      yield* writeSheet(workbook, spec, rows())
      yield* Effect.promise(() => workbook.commit())
      parts.push(`sheet at level ${level} ${seconds(began)} s (node cpu ${cpuSeconds()} s, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`)
    }
    console.log(`${name}: ${n.toLocaleString("en-US")} rows; ${parts.join("; ")}`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

await probeKeptDatabase(dataDir, program)
