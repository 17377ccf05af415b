// Probe: where the time of shipping.xlsx's big sheets goes, on a database the bench kept
// (`npx tsx bench/run.ts --scale 100000 --keep`). For each sheet, its rows are read three
// ways in one process: the query alone (server, cursor, row parsing, opening sealed
// addresses), the sheet written with the zip's deflate at level 0, and at the workbooks'
// level. Differences give the split: Node's row XML (level 0 less the query) and deflate
// (level 3 less level 0). Prints figures; asserts nothing.
//
//   npx tsx bench/sheets-probe.ts --db /tmp/kk-bench-db-XXXX
//   … --sheet 再発送リスト --query-only      one sheet, its query alone (e.g. under --cpu-prof)
import "./nodeFlags.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Redacted, Stream } from "effect"
import { Sealer, SealerLive } from "../src/Seal/Sealer.ts"
import { clientFromUrl } from "../src/Store/Database.ts"
import { startEmbeddedServer } from "../src/Store/EmbeddedServer.ts"
import { FindingsStore, FindingsStoreLive } from "../src/Store/FindingsStore.ts"
import { makeShippingQueries } from "../src/Store/ShippingQueries.ts"
import { findingsSheet } from "../src/Report/FindingsSheet.ts"
import { actionSheet, awaitingSheet, readySheet } from "../src/Report/ShippingSheets.ts"
import { shippingActions } from "../src/Report/ShippingActions.ts"
import { newWorkbookWriter, prepareWorkbook, type SheetSpec, workbookZipLevel, writeSheet } from "../src/Report/Sheet.ts"

const dataDir = process.argv[process.argv.indexOf("--db") + 1]!
process.env.KESHIKOMI_KEY_FILE ??= path.join(dataDir, "sealing.key")
const onlySheet = process.argv.includes("--sheet") ? process.argv[process.argv.indexOf("--sheet") + 1] : undefined
const queryOnly = process.argv.includes("--query-only")
const actionGuides = Object.entries(shippingActions).map(([code, g]) => ({ code, ...g }))

const program = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const findings = yield* FindingsStore
  const queries = makeShippingQueries(sql, sealer)
  const [{ run_id: runId, as_of: asOf }] = yield* sql<{ run_id: number; as_of: string }>`
    SELECT run_id::int AS run_id, as_of::text AS as_of FROM runs ORDER BY run_id DESC LIMIT 1`
  const sheets: ReadonlyArray<[string, SheetSpec<any>, () => Stream.Stream<any>]> = [
    ["再発送リスト", readySheet, () => queries.readyToReship(runId, asOf)],
    ["要対応", actionSheet, () => queries.needingAction(runId, actionGuides)],
    ["未着注文", awaitingSheet, () => queries.awaitingParcels(runId)],
    ["Findings", findingsSheet, () => findings.raisedBy(runId, "shipping")]
  ]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-sheets-probe-"))
  const seconds = (began: number) => ((performance.now() - began) / 1000).toFixed(2)
  for (const [name, spec, rows] of sheets.filter(([name]) => onlySheet === undefined || name === onlySheet)) {
    let began = performance.now()
    const n = yield* Stream.runFold(rows(), 0, (k) => k + 1)
    const query = seconds(began)
    const timings: Array<string> = []
    for (const level of queryOnly ? [] : [0, workbookZipLevel]) {
      const file = path.join(dir, `${level}.xlsx`)
      began = performance.now()
      const workbook = newWorkbookWriter({ filename: file }, level)
      prepareWorkbook(workbook)
      yield* writeSheet(workbook, spec, rows())
      yield* Effect.promise(() => workbook.commit())
      timings.push(`level ${level} ${seconds(began)} s (${(fs.statSync(file).size / 1e6).toFixed(1)} MB)`)
    }
    console.log(`${name}: ${n.toLocaleString("en-US")} rows; query alone ${query} s; sheet ${timings.join(", ")}`)
  }
  fs.rmSync(dir, { recursive: true, force: true })
})

await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const server = yield* startEmbeddedServer(path.join(dataDir, "pg"))
  const url = `postgresql://${server.username}:${encodeURIComponent(Redacted.value(server.password))}@localhost/${server.database}?host=${encodeURIComponent(server.socketDir)}`
  const layer = FindingsStoreLive.pipe(Layer.provideMerge(clientFromUrl(Redacted.make(url))), Layer.provideMerge(SealerLive))
  yield* program.pipe(Effect.provide(layer))
})))
