// Benchmark: time and peak memory of one full run (ingest, matching, workbooks) on a
// generated inbox, in this process, on a fresh database.
//
//   npm run bench -- --scale 100000            (default 100000; add more scales to compare)
//   npm run bench -- --scale 10000 --scale 100000
//
// The inbox comes from the seeded fixture generator (fixtures/generate.ts --scale N) and is
// kept under the OS temp folder between runs. DATABASE_URL, when set, is used for every
// scale (empty it first); otherwise each scale gets a fresh embedded PostgreSQL.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Logger, LogLevel } from "effect"
import { AppLive } from "../src/App.ts"
import { Run } from "../src/Run/Run.ts"

const scales = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--scale" ? [Number(arg)] : []))
if (scales.length === 0) scales.push(100_000)

const inboxFor = (scale: number) => {
  const dir = path.join(os.tmpdir(), `keshikomi-bench-inbox-${scale}`)
  if (!fs.existsSync(path.join(dir, "payout_schedule.json"))) {
    execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", "--scale", String(scale), "--out", dir], { stdio: "inherit" })
  }
  return dir
}

const countRows = (dir: string) =>
  fs.readdirSync(dir).filter((f) => f.endsWith(".csv")).reduce((n, f) => {
    const text = fs.readFileSync(path.join(dir, f))
    let lines = 0
    for (const byte of text) if (byte === 0x0a) lines++
    return n + Math.max(0, lines - 1)
  }, 0)

const measure = async (scale: number) => {
  const inbox = inboxFor(scale)
  const rows = countRows(inbox)
  if (process.env.DATABASE_URL === undefined) {
    process.env.KESHIKOMI_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-db-"))
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-out-"))
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
  const started = performance.now()
  const result = await Effect.runPromise(
    Effect.flatMap(Run, (run) => run.run({ inbox, outDir: out, asOf: "2023-09-05" })).pipe(
      Effect.provide(AppLive),
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
  )
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  const findings = [...result.countsByCode.values()].reduce((a, b) => a + b, 0)
  const sizes = result.reports.map((r) => `${path.basename(r)} ${(fs.statSync(r).size / 1e6).toFixed(1)} MB`).join(", ")
  console.log(
    `scale ${scale}: ${rows} rows in ${fs.readdirSync(inbox).length} files, ${findings} findings, ` +
      `${seconds.toFixed(1)} s (${Math.round(rows / seconds)} rows/s), peak RSS ${(peakRss / 1e6).toFixed(0)} MB; ${sizes}`
  )
}

for (const scale of scales) await measure(scale)
