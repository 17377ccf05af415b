// Probe: a quiet night (1% new parcel lines) after a full first night, matched
// incrementally and with --full, on the same database in the same session.
//
//   npx tsx bench/nights-probe.ts --scale 100000
//
// Night 1 ingests the seeded benchmark inbox (fixtures/generate.ts --scale N) in full.
// Night 2's inbox is one new parcels file: 1% as many lines as the inbox has parcel
// lines, each a copy of an existing line under a new 受付番号 and 伝票番号. Night 2 is
// run as a dry run (rolled back) twice, incremental then --full, so both start from
// the same stored state; then for real, incrementally. Prints seconds per step.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, HashMap, Logger, LogLevel } from "effect"
import { AppLive } from "../src/App.ts"
import { Run, type RunOptions } from "../src/Run/Run.ts"

const scaleArg = process.argv.findIndex((a) => a === "--scale")
const scale = scaleArg >= 0 ? Number(process.argv[scaleArg + 1]) : 100_000

const inbox = path.join(os.tmpdir(), `keshikomi-bench-inbox-${scale}`)
if (!fs.existsSync(path.join(inbox, "payout_schedule.json"))) {
  execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", "--scale", String(scale), "--out", inbox], { stdio: "inherit" })
}
if (process.env.DATABASE_URL === undefined) process.env.KESHIKOMI_DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "kk-nights-db-"))
const out = fs.mkdtempSync(path.join(os.tmpdir(), "kk-nights-out-"))

// The new parcel lines: copies of the UTF-8 parcels file's lines under new numbers.
const parcelFiles = fs.readdirSync(inbox).filter((f) => f.startsWith("parcels_"))
const utf8File = parcelFiles.find((f) => fs.readFileSync(path.join(inbox, f)).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])))
if (utf8File === undefined) throw new Error(`no UTF-8 parcels file in ${inbox}`)
const [header, ...lines] = fs.readFileSync(path.join(inbox, utf8File), "utf8").replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l !== "")
const allParcelLines = parcelFiles.reduce((n, f) => n + fs.readFileSync(path.join(inbox, f)).toString("latin1").split("\n").length - 2, 0)
const newLines = Math.max(1, Math.round(allParcelLines / 100))
const night2 = fs.mkdtempSync(path.join(os.tmpdir(), "kk-nights-inbox-"))
const step = Math.max(1, Math.floor(lines.length / newLines))
const copied = Array.from({ length: newLines }, (_, i) => {
  const cells = lines[(i * step) % lines.length]!.split(",")
  cells[0] = `IN-NIGHT2-${String(i).padStart(7, "0")}`
  cells[1] = "2023/09/06 10:00"
  cells[3] = String(700000000000 + i)
  return cells.join(",")
})
fs.writeFileSync(path.join(night2, "parcels_20230906.csv"), [header, ...copied].join("\r\n") + "\r\n")

// Seconds per step, from the run's own "step finished" log lines.
const timed = async (label: string, options: RunOptions) => {
  const steps: Array<string> = []
  const collect = Logger.make(({ annotations }) => {
    const name = HashMap.get(annotations, "step")
    const seconds = HashMap.get(annotations, "seconds")
    if (name._tag === "Some" && seconds._tag === "Some") steps.push(`${String(name.value)} ${Number(seconds.value).toFixed(2)}`)
  })
  const started = performance.now()
  const result = await Effect.runPromise(
    Effect.flatMap(Run, (run) => run.run(options)).pipe(
      Effect.provide(AppLive),
      Effect.provide(Logger.replace(Logger.defaultLogger, collect)),
      Logger.withMinimumLogLevel(LogLevel.Info)
    )
  )
  const seconds = (performance.now() - started) / 1000
  const mode = result.mode._tag === "full" ? `full (${result.mode.reason})` : `incremental (${result.mode.orderRefs} order refs)`
  console.log(`${label}: ${seconds.toFixed(1)} s, ${mode}\n    ${steps.join(", ")}`)
  return seconds
}

console.log(`scale ${scale}: night 2 adds ${newLines} parcel lines (1% of ${allParcelLines})`)
await timed("night 1 (first run)", { inbox, outDir: out, asOf: "2023-09-05" })
const incremental = await timed("night 2 incremental (dry run)", { inbox: night2, outDir: out, asOf: "2023-09-06", dryRun: true })
const full = await timed("night 2 --full (dry run)", { inbox: night2, outDir: out, asOf: "2023-09-06", dryRun: true, full: true })
console.log(`night 2 incremental / full: ${(100 * incremental / full).toFixed(0)}%`)
await timed("night 2 incremental (committed)", { inbox: night2, outDir: out, asOf: "2023-09-06" })
