// Probe: where the time of finance.xlsx and of both findings CSVs goes, on a database the
// bench kept (`npx tsx bench/run.ts --scale 300000 --nights 1 --keep`: the last run is
// then the night). In one transaction, rolled back, as the run writes its reports:
//   finance.xlsx, per sheet (each read as the workbook reads it for that run: capped or
//   not, by the run's counts and the cap):
//     server   the query executed on the server alone (EXPLAIN ANALYZE's execution time)
//     fetch    the rows through the cursor into Node, holder names opened
//     sheet 0  the sheet written with the zip's deflate at level 0: less the fetch, row XML
//     sheet 3  at the workbooks' level: less level 0, deflate
//   and the summary sheets' queries;
//   each CSV:
//     rows     the findings query alone on the server (its sort)
//     fields   the query of the fields the lines are made of, on the server
//     copy     the file written as the run writes it (COPY TO STDOUT, lines made in Node), with the
//              CPU seconds of the server's backend and of Node, and the file's sha256
// Prints figures; asserts nothing.
//
//   npx tsx bench/finance-probe.ts --db /tmp/kk-bench-db-XXXX [--cap 100000] [--only csv|xlsx] [--serial]
import "./nodeFlags.ts"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlClient, type Statement } from "@effect/sql"
import { Effect, Stream } from "effect"
import { Sealer } from "../src/Seal/Sealer.ts"
import { latestRun, probeKeptDatabase } from "./keptDatabase.ts"
import { FindingsStore } from "../src/Store/FindingsStore.ts"
import { payoutQueries } from "../src/Store/PayoutQueries.ts"
import { findingsSheet, findingsSheetRows, inputCodes, inputErrorsSheet } from "../src/Report/FindingsSheet.ts"
import { actionPriority, actionSheet, matchedSheet, orphanSheet, unpaidSheet } from "../src/Report/FinanceSheets.ts"
import { capPlan, defaultSheetRowCap } from "../src/Report/SheetCap.ts"
import { copyFindingsCsv, findingsCsvFields } from "../src/Report/FindingsCsv.ts"
import { newWorkbookWriter, prepareWorkbook, type SheetSpec, workbookZipLevel, writeSheet } from "../src/Report/Sheet.ts"

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined)
const dataDir = argValue("--db")!
const cap = Number(argValue("--cap") ?? defaultSheetRowCap)
const only = argValue("--only")

// utime + stime of a process, from /proc (clock ticks of 1/100 s on Linux): steadier than the wall clock on a busy host.
const backendCpuSeconds = (pid: number) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  return (Number(fields[11]) + Number(fields[12])) / 100
}

const seconds = (began: number) => ((performance.now() - began) / 1000).toFixed(2)

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const findings = yield* FindingsStore
  const payouts = payoutQueries(sql, sealer)
  const { asOf, runId } = yield* latestRun

  const explain = (statement: Statement.Statement<unknown>) =>
    Effect.gen(function*() {
      const [text, params] = statement.compile()
      const plan = yield* sql.unsafe<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, TIMING OFF) ${text}`, params as Array<unknown>)
      const lines = plan.map((r) => r["QUERY PLAN"])
      const sorts = lines.filter((l) => /Sort Method/.test(l)).map((l) => l.trim())
      return `${lines.find((l) => l.startsWith("Execution Time"))}${sorts.length > 0 ? ` [${sorts.join("; ")}]` : ""}`
    })

  let began = performance.now()
  const counts = yield* findings.countsForSide("payout")
  console.log(`run ${runId} as of ${asOf}, cap ${cap}: countsForSide ${seconds(began)} s; ` +
    [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, n]) => `${c} ${n}`).join(", "))

  if (only !== "csv") {
    const findingsPlan = capPlan(counts, cap)
    const matchedPlan = capPlan(counts, cap, ["PAY_MATCHED"])
    const unpaidPlan = capPlan(counts, cap, ["PAY_PENDING", "PAY_SCHEDULED", "PAY_DEFERRED"])
    began = performance.now()
    yield* Stream.runDrain(findings.closedBy(runId, "payout").pipe(Stream.take(501)))
    const closed = seconds(began)
    began = performance.now()
    yield* payouts.controlTotals
    const control = seconds(began)
    began = performance.now()
    yield* payouts.channelTotals
    console.log(`summary queries: closedBy ${closed} s, controlTotals ${control} s, channelTotals ${seconds(began)} s`)
    const sheets: ReadonlyArray<[string, SheetSpec<any>, () => Stream.Stream<any>]> = [
      ["要対応", actionSheet, () => payouts.actionItems(runId, actionPriority)],
      [`照合済${matchedPlan.capped ? " (capped: empty)" : ""}`, matchedSheet, () => (matchedPlan.capped ? Stream.empty : payouts.matched(runId))],
      [`未払い・保留${unpaidPlan.capped ? " (capped: empty)" : ""}`, unpaidSheet, () => (unpaidPlan.capped ? Stream.empty : payouts.unpaid(runId))],
      ["孤立振込", orphanSheet, () => payouts.orphans(runId)],
      ["入力エラー", inputErrorsSheet, () => findings.raisedBy(runId, "payout", { codes: inputCodes })],
      [`Findings${findingsPlan.capped ? " (errors and warnings)" : ""}`, findingsSheet, () =>
        findingsSheetRows(findings, runId, "payout", findingsPlan)]
    ]
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-finance-probe-"))
    for (const [name, spec, rows] of sheets) {
      const parts: Array<string> = []
      began = performance.now()
      const n = yield* Stream.runFold(rows(), 0, (k) => k + 1)
      parts.push(`fetch ${seconds(began)} s`)
      for (const level of [0, workbookZipLevel]) {
        const file = path.join(dir, `${level}.xlsx`)
        began = performance.now()
        const workbook = newWorkbookWriter({ filename: file }, level)
        prepareWorkbook(workbook)
        yield* writeSheet(workbook, spec, rows())
        yield* Effect.promise(() => workbook.commit())
        parts.push(`sheet ${level} ${seconds(began)} s (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`)
      }
      console.log(`${name}: ${n.toLocaleString("en-US")} rows; ${parts.join("; ")}`)
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }

  if (only !== "xlsx") {
    // --serial: no parallel workers, so that the backend's CPU time is all of the server's.
    if (process.argv.includes("--serial")) yield* sql`SET LOCAL max_parallel_workers_per_gather = 0`
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-finance-probe-"))
    const [{ pid }] = yield* sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`
    for (const side of ["shipping", "payout"] as const) {
      const parts: Array<string> = []
      parts.push(`rows: ${yield* explain(findings.raisedByQuery(runId, side))}`)
      parts.push(`fields: ${yield* explain(findingsCsvFields(sql, findings.raisedByQuery(runId, side)))}`)
      const file = path.join(dir, `${side}.csv`)
      began = performance.now()
      const serverBefore = backendCpuSeconds(pid)
      const nodeBefore = process.cpuUsage()
      const stream = fs.createWriteStream(file)
      const n = yield* copyFindingsCsv(sql, stream, findings.raisedByQuery(runId, side))
      const node = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(nodeBefore))
      parts.push(`copy ${seconds(began)} s (cpu: server ${(backendCpuSeconds(pid) - serverBefore).toFixed(2)} s, node ${node.toFixed(2)} s; ` +
        `${(fs.statSync(file).size / 1e6).toFixed(1)} MB, sha256 ${createHash("sha256").update(fs.readFileSync(file)).digest("hex").slice(0, 16)})`)
      console.log(`${side} CSV: ${n.toLocaleString("en-US")} rows; ${parts.join("; ")}`)
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

await probeKeptDatabase(dataDir, program)
