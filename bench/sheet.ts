// Benchmark of the report side alone: a Findings sheet of N generated findings, and the
// same findings as CSV, written the way a run writes them (streaming workbook, rows in
// batches; CSV in batches). --level N compares the zip's deflate levels. Prints seconds, rows/s, Node's peak RSS and the
// file sizes, so that memory can be seen to stay flat as N grows.
//
//   npx tsx bench/sheet.ts --rows 30000 --rows 300000
//   npx tsx bench/sheet.ts --rows 30000 --node-defaults    with Node's V8 flags, not the command's
import "./nodeFlags.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Stream } from "effect"
import { findingsSheet } from "../src/Report/FindingsSheet.ts"
import { writeFindingsCsv } from "../src/Report/FindingsCsv.ts"
import { newWorkbookWriter, prepareWorkbook, workbookZipLevel, writeSheet } from "../src/Report/Sheet.ts"
import type { FindingRow } from "../src/Store/FindingsStore.ts"

const counts = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--rows" ? [Number(arg)] : []))
if (counts.length === 0) counts.push(30_000, 300_000)
// The zip's deflate level, to compare with the one the workbooks use.
const levels = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--level" ? [Number(arg)] : []))
if (levels.length === 0) levels.push(workbookZipLevel)

const finding = (i: number): FindingRow => ({
  code: i % 10 === 0 ? "PAY_AMOUNT_MISMATCH" : "PAY_MATCHED",
  severity: i % 10 === 0 ? "error" : "info",
  subject_id: `23${String(i).padStart(8, "0")}`,
  related_id: `20230821-${String(i % 1_000_000).padStart(6, "0")}`,
  detail: `依頼額 ${(i % 2000) * 100 + 500} 円に対し 銀行振込 20230821-${String(i % 1_000_000).padStart(6, "0")} の支払額は ${(i % 2000) * 100} 円: 500 円不足`,
  first_seen: "2023-09-05",
  status: i % 3 === 0 ? "新規" : "継続",
  resolved_by: null,
  resolution_note: null,
  resolved_at: null,
  resolved_on: null
})
// Rows in batches, as a database cursor hands them over.
const rows = (n: number) => Stream.range(0, n - 1, 128).pipe(Stream.map(finding))

const measure = async (n: number, level: number) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-sheet-"))
  globalThis.gc?.()
  let peak = process.memoryUsage.rss()
  let atPeak = process.memoryUsage()
  let maxExternal = atPeak.external
  const sampler = setInterval(() => {
    const now = process.memoryUsage()
    if (now.rss > peak) [peak, atPeak] = [now.rss, now]
    if (now.external > maxExternal) maxExternal = now.external
  }, 20)
  const startRss = peak
  const xlsx = path.join(dir, "findings.xlsx")
  let started = performance.now()
  const cpuStarted = process.cpuUsage()
  const workbook = newWorkbookWriter({ stream: fs.createWriteStream(xlsx) }, level)
  prepareWorkbook(workbook)
  await Effect.runPromise(writeSheet(workbook, findingsSheet, rows(n)))
  await workbook.commit()
  const sheetSeconds = (performance.now() - started) / 1000
  const sheetCpu = process.cpuUsage(cpuStarted)
  const sheetPeak = peak
  const [sheetAtPeak, sheetMaxExternal] = [atPeak, maxExternal]
  started = performance.now()
  const csv = path.join(dir, "findings.csv")
  const out = fs.createWriteStream(csv)
  await Effect.runPromise(writeFindingsCsv(out, rows(n)))
  const csvSeconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  console.log(
    `${n.toLocaleString("en-US")} findings, zip level ${level}: sheet ${sheetSeconds.toFixed(1)} s (${Math.round(n / sheetSeconds).toLocaleString("en-US")} rows/s; CPU ${((sheetCpu.user + sheetCpu.system) / 1e6).toFixed(1)} s), ` +
      `peak RSS ${(sheetPeak / 1e6).toFixed(0)} MB, ${(fs.statSync(xlsx).size / 1e6).toFixed(1)} MB; ` +
      `CSV ${csvSeconds.toFixed(1)} s (${Math.round(n / csvSeconds).toLocaleString("en-US")} rows/s), peak RSS ${(peak / 1e6).toFixed(0)} MB, ` +
      `${(fs.statSync(csv).size / 1e6).toFixed(1)} MB\n  at the sheet's peak: heap ${(sheetAtPeak.heapTotal / 1e6).toFixed(0)} MB (used ${(sheetAtPeak.heapUsed / 1e6).toFixed(0)}), ` +
      `external ${(sheetAtPeak.external / 1e6).toFixed(0)} MB (most while writing the sheet ${(sheetMaxExternal / 1e6).toFixed(0)} MB)\n  at the peak: heap ${(atPeak.heapTotal / 1e6).toFixed(0)} MB ` +
      `(used ${(atPeak.heapUsed / 1e6).toFixed(0)}), node flags ${process.execArgv.filter((a) => a.startsWith("--max-")).join(" ") || "none"}, external ${(atPeak.external / 1e6).toFixed(0)} MB, buffers ${(atPeak.arrayBuffers / 1e6).toFixed(0)} MB; RSS before writing ${(startRss / 1e6).toFixed(0)} MB`
  )
  fs.rmSync(dir, { recursive: true, force: true })
}

for (const n of counts) for (const level of levels) await measure(n, level)
if (process.argv.includes("--smaps")) console.log(fs.readFileSync("/proc/self/smaps_rollup", "utf8"))
