// Probe: the cost of writing many small seller lists, the way a run writes them (a new
// WorkbookWriter per file, staged through AtomicFile). Prints ms per file; asserts nothing.
//
//   npx tsx bench/seller-probe.ts [--files 300] [--rows 8] [--concurrency 2] [--level N] [--no-flush] [--exceljs] [--in-memory]
//
// By default the lists go through the run's writer (SellerListWriter.ts: exceljs writes
// the first list, the others are filled in from it); --exceljs writes every one with exceljs;
// --in-memory only makes the files' bytes (the writer's own cost, no file system).
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/seller-probe.ts
import { Effect } from "effect"
import type { ReportWriteFailed } from "../src/Domain/Errors.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ownerOnly, stageFile } from "../src/Report/AtomicFile.ts"
import { makeSellerListWriter } from "../src/Report/SellerListWriter.ts"
import { writeSellerSheet } from "../src/Report/SellerLists.ts"
import { newReportWorkbook } from "../src/Report/Sheet.ts"
import type { SellerOpenRow } from "../src/Store/ShippingQueries.ts"

const arg = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const files = arg("--files", 300)
const rowsPerList = arg("--rows", 8)
const asOf = "2023-09-05"
const level = arg("--level", -1)
const concurrency = arg("--concurrency", 1)
const noFlush = process.argv.includes("--no-flush")
const everyOneByExcelJS = process.argv.includes("--exceljs")
const inMemory = process.argv.includes("--in-memory")

const listOf = (n: number): ReadonlyArray<SellerOpenRow> =>
  Array.from({ length: rowsPerList }, (_, k) => ({
    seller_id: `S${String(100000 + n)}`,
    circle_name: `サークル${n}`,
    order_id: `PS-${String(n * 10 + Math.floor(k / 2)).padStart(8, "0")}`,
    ordered_on: "2023-08-10",
    short: k % 3 === 0,
    ordered_qty: 3,
    received_qty: 1,
    item_id: `I${k}`,
    item_name: `新刊${k} 総集編`,
    quantity: 1 + (k % 2)
  }))

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-seller-probe-"))
const stage = (
  target: string,
  write: (stream: import("node:stream").Writable) => Effect.Effect<void>
): Effect.Effect<{ readonly publish: Effect.Effect<unknown, ReportWriteFailed> }, ReportWriteFailed> =>
  noFlush
    ? Effect.gen(function*() {
      const stream = fs.createWriteStream(target)
      const closed = new Promise<void>((resolve) => stream.once("close", () => resolve()))
      yield* write(stream)
      yield* Effect.promise(() => closed)
      return { publish: Effect.void }
    })
    : stageFile(target, ownerOnly, write)
const render = (rows: ReadonlyArray<SellerOpenRow>, stream: import("node:stream").Writable) =>
  Effect.gen(function*() {
    const label = { title: "未着のご注文", keywords: `keshikomi seller as_of=${asOf} run=1`, asOf }
    const workbook = level >= 0 ? newReportWorkbook({ stream }, label, level) : newReportWorkbook({ stream }, label)
    yield* writeSellerSheet(workbook, rows, asOf)
    yield* Effect.promise(() => workbook.commit())
    return workbook
  })
const sellerListWriter = makeSellerListWriter(asOf, render)
const writeList = (n: number) =>
  inMemory
    ? Effect.asVoid(sellerListWriter.bytes(listOf(n)))
    : stage(path.join(dir, `S${n}.xlsx`), (stream) =>
    everyOneByExcelJS
      ? Effect.asVoid(render(listOf(n), stream))
      : Effect.flatMap(sellerListWriter.bytes(listOf(n)), (bytes) =>
        Effect.async<void>((resume) => {
          stream.end(bytes, () => resume(Effect.void))
        }))).pipe(Effect.flatMap((staged) => staged.publish))

const program = Effect.gen(function*() {
  // A warm-up, so that module loading is not counted.
  yield* Effect.forEach(Array.from({ length: 20 }, (_, n) => n + files), writeList, { discard: true })
  let peak = 0
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20)
  const cpu = process.cpuUsage()
  const began = performance.now()
  yield* Effect.forEach(Array.from({ length: files }, (_, n) => n), writeList, { discard: true, concurrency })
  const ms = performance.now() - began
  const used = process.cpuUsage(cpu)
  clearInterval(sampler)
  console.log(`${everyOneByExcelJS ? "exceljs" : `template writer (${JSON.stringify(sellerListWriter.stats())})`}, ${concurrency} at once${level >= 0 ? `, zlib level ${level}` : ""}${noFlush ? ", no flush" : ""}${inMemory ? ", in memory" : ""}: ${files} lists of ${rowsPerList} rows: ${(ms / files).toFixed(2)} ms per file (CPU ${((used.user + used.system) / 1000 / files).toFixed(2)} ms), ${(ms / 1000).toFixed(2)} s, peak RSS ${(peak / 1e6).toFixed(0)} MB`)
})
await Effect.runPromise(program).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
