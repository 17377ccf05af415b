// Benchmark: one full run (ingest, matching, merge, workbooks, CSVs) on a generated inbox,
// in this process, on a fresh database, then a floor measured on the same server in the
// same process: plain COPY of the same CSV files into text tables. Optionally a sequence
// of nightly drops after it. Prints figures; asserts nothing (no timing in tests).
//
//   npm run bench -- --scale 100000                 (default 100000; repeat --scale to compare)
//   npm run bench -- --scale 100000 --nights 5      then 5 nightly drops, as-of advancing a day each
//   npm run bench -- --scale 100000 --nights 5 --full
//                                                   nights as full runs, when the run has that option
//   … --keep                                        keep the database and reports folder (removed by default)
//   … --nights-in-process                           nights in this process after the full run, as before; by
//                                                   default each night is its own process of the bundled
//                                                   command (dist/keshikomi.mjs under the bin's V8 flags), as
//                                                   cron runs it, so its peak holds no leftovers of the full run
//   npm run bench -- --scale 100000 --node-defaults  with Node's default V8 flags, not the command's
//                                                   (bench/nodeFlags.ts: the first line of bin/keshikomi.mjs)
//   npm run bench -- --scale 100000 --tsx            through tsx, not from a bundle as the command runs
//                                                   (bench/nodeFlags.ts: dist/bench/run.mjs)
//
// Per scale it prints every step's seconds (from the run's "step finished" log lines),
// input rows per second, Node's peak RSS (with its V8 heap, used / reserved, and the
// memory outside the heap, at that peak) and the embedded server's (the sum of the RSS of
// its processes, sampled from /proc; shared buffers count once per process, so the sum
// overstates; "unique" counts them once), the sizes of the workbooks, CSVs and seller
// lists, the COPY floor and the run's ratio to it; per night its seconds and its ratio
// to the full run.
//
// Inboxes come from the seeded generator (fixtures/generate.ts --scale N, --night K) and
// are kept under the OS temp folder between runs. DATABASE_URL, when set, is used for
// every scale (empty it first; the server's memory is then not measured); otherwise each
// scale gets a fresh embedded PostgreSQL started here.
import { commandNodeFlags, loadedAs } from "./nodeFlags.ts"
import { execFileSync, spawn } from "node:child_process"
import * as readline from "node:readline"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, HashMap, Layer, Logger, LogLevel, Option, Redacted } from "effect"
import { appLayer } from "../src/App.ts"
import { Run, type RunOptions, type RunResult } from "../src/Run/Run.ts"
import { randomKeyMaterial, writeNewKeyFile } from "../src/Seal/KeyFile.ts"
import { SealerLive } from "../src/Seal/Sealer.ts"
import { clientFromUrl, MigrationsLive } from "../src/Store/Database.ts"
import { startEmbeddedServer } from "../src/Store/EmbeddedServer.ts"
import { nightAsOf } from "../fixtures/scale/nightInbox.ts"
import { CopyInLive } from "../src/Store/CopyIn.ts"
import { copyFloor, countRows, csvFiles } from "./floor.ts"

const argValues = (flag: string) => process.argv.flatMap((arg, i) => (process.argv[i - 1] === flag ? [arg] : []))
const scales = argValues("--scale").map(Number)
if (scales.length === 0) scales.push(100_000)
const nights = Number(argValues("--nights")[0] ?? 0)
const fullNights = process.argv.includes("--full")
const keep = process.argv.includes("--keep")
const nightsInProcess = process.argv.includes("--nights-in-process")
// `--full` (re-match everything) exists once the incremental run has landed; older runs have no such option.
const runHasFull = /readonly full\b/.test(fs.readFileSync(path.join(import.meta.dirname, "../src/Run/Run.ts"), "utf8"))
const baseAsOf = "2023-09-05"
const givenKeyFile = process.env.KESHIKOMI_KEY_FILE

const generated = (dir: string, args: ReadonlyArray<string>) => {
  if (!fs.existsSync(path.join(dir, ".complete"))) {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.mkdirSync(dir, { recursive: true })
    execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", ...args, "--out", dir], { stdio: "inherit" })
    fs.writeFileSync(path.join(dir, ".complete"), "")
  }
  return dir
}
const inboxFor = (scale: number) => {
  // Inboxes written by earlier versions of this script have no marker; their schedule file says they are whole.
  const dir = path.join(os.tmpdir(), `keshikomi-bench-inbox-${scale}`)
  if (fs.existsSync(path.join(dir, "payout_schedule.json"))) return dir
  return generated(dir, ["--scale", String(scale)])
}
const nightInboxFor = (scale: number, night: number) =>
  generated(path.join(os.tmpdir(), `keshikomi-bench-night2-${scale}-${night}`), ["--scale", String(scale), "--night", String(night)])


// ---------------------------------------------------------------------------
// Memory: this process, and the PostgreSQL processes it started (its descendants).

const pageSize = 4096
const descendantsNamed = (root: number, name: string): Array<number> => {
  const children = new Map<number, Array<number>>()
  const names = new Map<number, string>()
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      const close = stat.lastIndexOf(")")
      const ppid = Number(stat.slice(close + 2).split(" ")[1])
      names.set(Number(entry), stat.slice(stat.indexOf("(") + 1, close))
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone meanwhile
    }
  }
  const found: Array<number> = []
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      if (names.get(child) === name) found.push(child)
      walk(child)
    }
  }
  walk(root)
  return found
}

interface Memory {
  node: number
  server: number
  serverUnique: number
  /** Node's V8 heap (reserved, used) and memory outside it (external, of which array buffers), at its peak RSS. */
  heapTotal: number
  heapUsed: number
  external: number
}
const serverMemory = (pids: ReadonlyArray<number>) => {
  let sum = 0
  let privateSum = 0
  let sharedMax = 0
  for (const pid of pids) {
    try {
      const [, rss, shared] = fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ").map(Number) as [number, number, number]
      sum += rss * pageSize
      privateSum += (rss - shared) * pageSize
      sharedMax = Math.max(sharedMax, shared * pageSize)
    } catch {
      // a backend that ended
    }
  }
  return { server: sum, serverUnique: privateSum + sharedMax }
}

/** Samples memory: the peak since start and since the last `mark`. */
const memorySampler = (measureServer: boolean) => {
  let pids: Array<number> = []
  const refreshPids = () => (pids = measureServer ? descendantsNamed(process.pid, "postgres") : [])
  refreshPids()
  const zero = (): Memory => ({ node: 0, server: 0, serverUnique: 0, heapTotal: 0, heapUsed: 0, external: 0 })
  let total = zero()
  let sinceMark = zero()
  const sample = () => {
    const usage = process.memoryUsage()
    const now = { node: usage.rss, ...serverMemory(pids) }
    for (const peak of [total, sinceMark]) {
      if (now.node > peak.node) [peak.heapTotal, peak.heapUsed, peak.external] = [usage.heapTotal, usage.heapUsed, usage.external]
      peak.node = Math.max(peak.node, now.node)
      peak.server = Math.max(peak.server, now.server)
      peak.serverUnique = Math.max(peak.serverUnique, now.serverUnique)
    }
  }
  const fast = setInterval(sample, 50)
  const slow = setInterval(refreshPids, 1000)
  return {
    /** The peaks since the last mark; starts a new interval. */
    mark: (): Memory => {
      sample()
      const peaks = sinceMark
      sinceMark = zero()
      return peaks
    },
    /** The peaks since the last mark, without starting a new interval. */
    peek: (): Memory => {
      sample()
      return { ...sinceMark }
    },
    reset: () => {
      total = zero()
      sinceMark = zero()
    },
    total: () => total,
    stop: () => {
      clearInterval(fast)
      clearInterval(slow)
    }
  }
}

// ---------------------------------------------------------------------------
// The run's own step timings, from its log.

interface Step { readonly name: string; readonly seconds: number; readonly memory: Memory }
interface Timed { readonly result: RunResult; readonly seconds: number; readonly steps: ReadonlyArray<Step> }

// A workbook's sheets ("sheet written" lines come before their file's "report written"),
// printed under the file as one line: where the workbook's time went.
const makeSheetLines = () => {
  let sheets: Array<string> = []
  return {
    sheet: (name: unknown, seconds: unknown, rows: unknown) => {
      sheets.push(`${String(name)} ${Number(seconds).toFixed(1)} s (${Number(rows).toLocaleString("en-US")} rows)`)
    },
    file: (file: unknown) => {
      // The seller lists' one exceljs-written sheet is not worth a line.
      if (sheets.length > 0 && String(file).endsWith(".xlsx")) console.log(`    ${String(file)} sheets: ${sheets.join(", ")}`)
      sheets = []
    }
  }
}

const stepLogger = (onStep: (name: string, seconds: number) => void) => {
  const sheetLines = makeSheetLines()
  return Logger.make(({ annotations, logLevel, message }) => {
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    const annotation = (key: string) => Option.getOrUndefined(HashMap.get(annotations, key))
    if (text === "sheet written") {
      sheetLines.sheet(annotation("sheet"), annotation("seconds"), annotation("rows"))
    } else if (text === "report written") {
      const file = Option.getOrElse(HashMap.get(annotations, "file"), () => "?")
      const seconds = Option.getOrElse(HashMap.get(annotations, "seconds"), () => 0)
      sheetLines.file(file)
      onStep(`  ${String(file)}`, Number(seconds))
    } else if (text === "step finished") {
      const name = Option.getOrElse(HashMap.get(annotations, "step"), () => "?")
      const seconds = Option.getOrElse(HashMap.get(annotations, "seconds"), () => 0)
      onStep(String(name), Number(seconds))
    } else if (text === "payout part finished") {
      // Printed as it comes (before its night's line): where payout matching spends its time.
      const parts = [...annotations].map(([k, v]) => `${k} ${typeof v === "number" ? (k === "seconds" ? v.toFixed(1) : v.toLocaleString("en-US")) : String(v)}`)
      console.log(`    payouts: ${parts.join(", ")}`)
    } else if (text === "sellers part finished") {
      console.log(`    sellers (ms): ${[...annotations].map(([k, v]) => `${k} ${String(v)}`).join(", ")}`)
    } else if (LogLevel.greaterThanEqual(logLevel, LogLevel.Warning)) {
      console.error(`  (${logLevel.label}) ${text}`)
    }
  })
}

// ---------------------------------------------------------------------------
// A night as its own process of the bundled command, as cron runs it. Its steps and files
// come from its JSON log lines; its memory from /proc (RSS only: its heap is not visible
// from here, so the heap columns read 0).

const root = path.join(import.meta.dirname, "..")
const commandBundle = path.join(root, "dist", "keshikomi.mjs")
/** Builds dist/keshikomi.mjs when a source changed since, as bin/keshikomi.mjs does before it runs. */
const freshCommandBundle = () => execFileSync(process.execPath, [path.join(root, "bin", "bundle.mjs")], { stdio: "inherit" })
const childRss = (pid: number) => {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/statm`, "utf8").split(" ")[1]) * pageSize
  } catch {
    return 0
  }
}

const runAsProcess = (
  options: { inbox: string; outDir: string; asOf: string; full: boolean },
  env: NodeJS.ProcessEnv,
  serverPeak: () => Memory
): Promise<{ seconds: number; steps: Array<Step>; peak: Memory }> =>
  new Promise((resolve, reject) => {
    const args = [...commandNodeFlags, commandBundle, "run", "--inbox", options.inbox, "--out", options.outDir, "--as-of", options.asOf, ...(options.full ? ["--full"] : [])]
    const began = performance.now()
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "inherit"] })
    const zero = (): Memory => ({ node: 0, server: 0, serverUnique: 0, heapTotal: 0, heapUsed: 0, external: 0 })
    let total = zero()
    let sinceMark = zero()
    const sample = () => {
      const rss = childRss(child.pid!)
      for (const peak of [total, sinceMark]) peak.node = Math.max(peak.node, rss)
    }
    const withServer = (peak: Memory) => ({ ...peak, ...pick(serverPeak()) })
    const pick = (m: Memory) => ({ server: m.server, serverUnique: m.serverUnique })
    const timer = setInterval(sample, 50)
    const steps: Array<Step> = []
    const sheetLines = makeSheetLines()
    readline.createInterface({ input: child.stdout! }).on("line", (text) => {
      let entry: Record<string, unknown>
      try {
        entry = JSON.parse(text)
      } catch {
        return // the run's closing summary, for staff
      }
      sample()
      if (entry.message === "sheet written") {
        sheetLines.sheet(entry.sheet, entry.seconds, entry.rows)
      } else if (entry.message === "report written") {
        sheetLines.file(entry.file)
        steps.push({ name: `  ${String(entry.file)}`, seconds: Number(entry.seconds), memory: { ...sinceMark } })
      } else if (entry.message === "step finished") {
        steps.push({ name: String(entry.step), seconds: Number(entry.seconds), memory: withServer(sinceMark) })
        sinceMark = zero()
      } else if (entry.message === "sellers part finished") {
        const { timestamp: _t, level: _l, message: _m, span: _s, ...parts } = entry
        console.log(`    sellers (ms): ${Object.entries(parts).map(([k, v]) => `${k} ${String(v)}`).join(", ")}`)
      } else if (entry.level === "WARN" || entry.level === "ERROR" || entry.level === "FATAL") {
        console.error(`  (${String(entry.level)}) ${String(entry.message)}`)
      }
    })
    child.on("error", reject)
    child.on("close", (code) => {
      clearInterval(timer)
      if (code !== 0) reject(new Error(`night run exited with ${code}: ${args.join(" ")}`))
      else resolve({ seconds: (performance.now() - began) / 1000, steps, peak: withServer(total) })
    })
  })

// ---------------------------------------------------------------------------
// Printing

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`
const sizeOf = (target: string): { bytes: number; files: number } => {
  const stat = fs.statSync(target)
  if (!stat.isDirectory()) return { bytes: stat.size, files: 1 }
  return fs.readdirSync(target).reduce((sum, name) => {
    const inner = sizeOf(path.join(target, name))
    return { bytes: sum.bytes + inner.bytes, files: sum.files + inner.files }
  }, { bytes: 0, files: 0 })
}
const describeFiles = (result: RunResult) =>
  result.reports.map((file) => {
    const { bytes, files } = sizeOf(file)
    return fs.statSync(file).isDirectory() ? `${path.basename(file)}/ ${files} files ${(bytes / 1e6).toFixed(1)} MB` : `${path.basename(file)} ${(bytes / 1e6).toFixed(1)} MB`
  }).join(", ")
const perSecond = (rows: number, seconds: number) => (seconds > 0 ? Math.round(rows / seconds).toLocaleString("en-US") : "-")
const line = (cells: ReadonlyArray<string>, widths: ReadonlyArray<number>) =>
  cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ")
const widths = [26, 9, 11, 9, 11, 11, 16, 9]
const stepTable = (steps: ReadonlyArray<Step>, rows: number, measureServer: boolean) =>
  steps.map((s) =>
    "  " + line([
      s.name, s.seconds.toFixed(1), perSecond(rows, s.seconds), mb(s.memory.node),
      measureServer ? mb(s.memory.server) : "n/a", measureServer ? mb(s.memory.serverUnique) : "n/a",
      heapAt(s.memory), mb(s.memory.external)
    ], widths)
  )
const heapAt = (memory: Memory) => `${(memory.heapUsed / 1e6).toFixed(0)} / ${mb(memory.heapTotal)}`

// ---------------------------------------------------------------------------

const measure = async (scale: number) => {
  const inbox = inboxFor(scale)
  const rows = countRows(inbox)
  const external = process.env.DATABASE_URL
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-db-"))
  // A fresh key for each fresh database, unless one is given.
  if (givenKeyFile === undefined) {
    process.env.KESHIKOMI_KEY_FILE = path.join(dataDir, "sealing.key")
    writeNewKeyFile(process.env.KESHIKOMI_KEY_FILE, randomKeyMaterial())
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kk-bench-out-"))
  const nightInboxes = Array.from({ length: nights }, (_, k) => nightInboxFor(scale, k + 1))
  const memory = memorySampler(external === undefined)
  let steps: Array<Step> = []
  let startRss = 0
  // A file the report step wrote is listed under that step; the step's peak covers all of them.
  const logger = stepLogger((name, seconds) =>
    steps.push({ name, seconds, memory: name.startsWith(" ") ? memory.peek() : memory.mark() }))

  const measureServer = external === undefined
  const serverMb = (bytes: number) => (measureServer ? mb(bytes) : "n/a")

  // Printed as each part ends: a long sequence shows its figures as it goes.
  const printFull = (full: Timed, fullPeak: Memory, startSeconds: number) => {
    const findings = [...full.result.countsByCode.values()].reduce((a, b) => a + b, 0)
    console.log(`\nscale ${scale.toLocaleString("en-US")}: ${rows.toLocaleString("en-US")} input rows in ${csvFiles(inbox).length} CSV files, ${findings.toLocaleString("en-US")} findings`)
    const biggest = [...full.result.countsByCode].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([code, n]) => `${code} ${n.toLocaleString("en-US")}`).join(", ")
    console.log(`  biggest codes: ${biggest}`)
    console.log("  " + line(["step", "seconds", "rows/s", "node peak", "server sum", "server uniq", "at peak: heap", "external"], widths))
    console.log(stepTable(full.steps, rows, measureServer).join("\n"))
    console.log("  " + line(["run total", full.seconds.toFixed(1), perSecond(rows, full.seconds), mb(fullPeak.node), serverMb(fullPeak.server), serverMb(fullPeak.serverUnique), heapAt(fullPeak), mb(fullPeak.external)], widths))
    console.log(`  (node RSS when the run started: ${mb(startRss)}; node flags: ${process.execArgv.filter((a) => /^--(max-|heap-)/.test(a)).join(" ") || "none"}; loaded from: ${loadedAs})`)
    console.log(`  (server start and migrations before the run: ${startSeconds.toFixed(1)} s)`)
    console.log(`  files: ${describeFiles(full.result)}`)
  }
  const printFloor = (full: Timed, floor: { seconds: number; rows: number }) => {
    console.log("  " + line(["COPY floor (same files)", floor.seconds.toFixed(1), perSecond(floor.rows, floor.seconds)], widths))
    console.log(`  run / floor: ${(full.seconds / floor.seconds).toFixed(1)}×`)
    if (nights > 0) console.log(`  nights${fullNights ? (runHasFull ? " (--full)" : " (--full asked, but this run has no such option: incremental as it is)") : ""}:`)
  }
  const printNight = (k: number, full: Timed, night: Pick<Timed, "seconds" | "steps">, nightRows: number, peak: Memory) => {
    const slowest = [...night.steps].filter((s) => !s.name.startsWith(" ")).sort((a, b) => b.seconds - a.seconds).slice(0, 3).map((s) => `${s.name} ${s.seconds.toFixed(1)} s`).join(", ")
    console.log(
      `  night ${k} (${nightAsOf(k)}): ${nightRows.toLocaleString("en-US")} rows, ${night.seconds.toFixed(1)} s = ` +
        `${((night.seconds / full.seconds) * 100).toFixed(1)} % of the full run; node peak ${mb(peak.node)}, ` +
        `server ${serverMb(peak.server)} (uniq ${serverMb(peak.serverUnique)}); slowest: ${slowest}`
    )
    console.log(`    files: ${night.steps.filter((s) => s.name.startsWith(" ")).map((s) => `${s.name.trim()} ${s.seconds.toFixed(1)} s (node peak ${mb(s.memory.node)})`).join(", ")}`)
  }

  const program = Effect.gen(function*() {
    const startedAt = performance.now()
    const url = external ?? (yield* Effect.map(startEmbeddedServer(path.join(dataDir, "pg")), (server) =>
      `postgresql://${server.username}:${encodeURIComponent(Redacted.value(server.password))}@localhost/${server.database}?host=${encodeURIComponent(server.socketDir)}`))
    const database = MigrationsLive.pipe(Layer.provideMerge(clientFromUrl(Redacted.make(url))), Layer.provideMerge(SealerLive))
    yield* Effect.gen(function*() {
      const run = yield* Run
      const startSeconds = (performance.now() - startedAt) / 1000
      memory.mark()
      memory.reset()
      startRss = process.memoryUsage.rss()
      const timed = (options: RunOptions) =>
        Effect.gen(function*() {
          steps = []
          const began = performance.now()
          const result = yield* run.run(options)
          return { result, seconds: (performance.now() - began) / 1000, steps } satisfies Timed
        })
      const full = yield* timed({ inbox, outDir: out, asOf: baseAsOf })
      printFull(full, { ...memory.total() }, startSeconds)
      printFloor(full, yield* copyFloor(inbox).pipe(Effect.provide(CopyInLive)))
      if (nights > 0 && !nightsInProcess) freshCommandBundle()
      if (nights > 0) console.log(`  (nights ${nightsInProcess ? "in this process, after the full run" : "each as its own process of dist/keshikomi.mjs: node peak is that process's RSS, heap not seen"})`)
      for (const [k, nightInbox] of nightInboxes.entries()) {
        memory.reset()
        const options = { inbox: nightInbox, outDir: out, asOf: nightAsOf(k + 1), ...(fullNights && runHasFull ? { full: true } : {}) }
        if (nightsInProcess) {
          const night = yield* timed(options as RunOptions)
          printNight(k + 1, full, night, countRows(nightInbox), { ...memory.total() })
        } else {
          const env = { ...process.env, DATABASE_URL: url }
          const night = yield* Effect.promise(() => runAsProcess({ ...options, full: fullNights && runHasFull }, env, () => memory.total()))
          printNight(k + 1, full, night, countRows(nightInbox), night.peak)
        }
      }
    }).pipe(Effect.provide(appLayer(database)))
  }).pipe(
    Effect.scoped,
    Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
    Logger.withMinimumLogLevel(LogLevel.Debug)
  )
  await Effect.runPromise(program).finally(() => {
    memory.stop()
    // A 1M database is several GB: gone with the bench unless asked to keep it.
    if (keep) console.log(`  kept: database ${dataDir}, reports ${out}`)
    else for (const dir of [dataDir, out]) fs.rmSync(dir, { recursive: true, force: true })
  })
}

for (const scale of scales) await measure(scale)
