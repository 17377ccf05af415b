// Benchmark: ingest alone (decode, validate, seal, store) on a generated inbox, in this
// process, on a fresh embedded PostgreSQL per scale, and the floor in the same server:
// plain COPY of the same files into tables of text columns.
//
//   npx tsx bench/ingest.ts --scale 100000            (default 100000; repeat --scale to compare)
//
// Prints rows/s of each, the CPU time Node spent and the CPU time of the run's server
// backend (read from /proc; on one core each, wall time near the larger of the two means
// they overlap, near their sum that they take turns), and Node's peak RSS during ingest
// (sampled every 20 ms). The inbox
// comes from the seeded generator (fixtures/generate.ts) and is kept under the OS temp
// folder between runs. Ingest runs in one transaction, as in a run, and is committed.
// The database folder of each scale is removed at the end (also when the run fails).
import { SqlClient } from "@effect/sql"
import { type Context, Effect, Layer, Logger, LogLevel } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Ingest, IngestLive } from "../src/Ingest/Ingest.ts"
import { ProgressSilent } from "../src/Ingest/Progress.ts"
import { CopyIn, CopyInLive } from "../src/Store/CopyIn.ts"
import { DatabaseLive } from "../src/Store/Database.ts"
import { FindingsStore, FindingsStoreLive } from "../src/Store/FindingsStore.ts"
import { Records, RecordsLive } from "../src/Store/Records.ts"
import { RunLog, RunLogLive } from "../src/Store/RunLog.ts"
import { copyFloor, countRows } from "./floor.ts"

const scales = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--scale" ? [Number(arg)] : []))
if (scales.length === 0) scales.push(100_000)

// --inbox DIR reads that inbox instead (the scale then only labels the figures).
const inboxArg = process.argv.flatMap((arg, i) => (process.argv[i - 1] === "--inbox" ? [arg] : []))[0]

const inboxFor = (scale: number) => {
  if (inboxArg !== undefined) return inboxArg
  const dir = path.join(os.tmpdir(), `keshikomi-ingest-bench-inbox-${scale}`)
  if (!fs.existsSync(path.join(dir, "payout_schedule.json"))) {
    execFileSync(process.execPath, ["--import", "tsx", "fixtures/generate.ts", "--scale", String(scale), "--out", dir], { stdio: "inherit" })
  }
  return dir
}


// utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat, in clock
// ticks of 1/100 s on Linux); NaN where /proc cannot be read.
const backendCpuSeconds = (pid: number) => {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

const ingestOnce = (inbox: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const ingest = yield* Ingest
    const runLog = yield* RunLog
    const findings = yield* FindingsStore
    return yield* Effect.gen(function*() {
      const runId = yield* runLog.start("2023-09-05")
      yield* findings.begin
      const [{ pid }] = yield* sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`
      const serverBefore = backendCpuSeconds(pid)
      const started = performance.now()
      const summary = yield* ingest.ingestInbox(inbox, runId)
      const seconds = (performance.now() - started) / 1000
      return { summary, seconds, serverCpu: backendCpuSeconds(pid) - serverBefore }
    }).pipe(sql.withTransaction)
  })

const measure = async (scale: number) => {
  const inbox = inboxFor(scale)
  const rows = countRows(inbox)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "kk-ingest-bench-db-"))
  process.env.KESHIKOMI_DATA_DIR = dataDir
  try {
    await measureIn(scale, inbox, rows)
  } finally {
    // The server has stopped with the layer's scope: its folder (~680 MB at 100k) and the
    // key and password files made beside it go, so that runs do not fill /tmp.
    for (const leftover of [dataDir, `${dataDir}.key`, `${dataDir}.pgpass`]) fs.rmSync(leftover, { recursive: true, force: true })
  }
}

// Wall time of each step that holds the run's connection, summed by step and table: what
// the server (and the COPY stream feeding it) costs, against what Node does alone.
const stepSeconds = new Map<string, number>()
const timed = <A, E, R>(step: string, effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const started = performance.now()
    return effect.pipe(Effect.ensuring(Effect.sync(() => {
      stepSeconds.set(step, (stepSeconds.get(step) ?? 0) + (performance.now() - started) / 1000)
    })))
  })
// Which table a staging COPY is for, told by a column only that table has.
const copiedTable = (statement: string) =>
  [["address_sealed", "shipping_addresses"], ["holder_writable", "payout_requests"], ["wallet_user_ref_sealed", "transfers"],
    ["order_ref_typed", "parcel_lines"], ["item_name", "order_items"], ["circle_name", "orders"], ["shipped_at", "reshipments"]]
    .find(([column]) => statement.includes(`"${column}"`))?.[1] ?? "?"
const TimedCopyIn = Layer.effect(CopyIn, Effect.map(CopyIn, (copyIn) => ({
  copy: (statement: string, source: AsyncIterable<Buffer>) => timed(`COPY ${copiedTable(statement)}`, copyIn.copy(statement, source))
}))).pipe(Layer.provide(CopyInLive))
const TimedRecords = Layer.effect(Records, Effect.map(Records, (records) => ({
  ...records,
  stage: (spec) => timed("stage (CREATE TEMP TABLE)", records.stage(spec)),
  setAsideItemsWithoutOrder: (stage) => timed("set aside items without order", records.setAsideItemsWithoutOrder(stage)),
  storeStage: (spec, stage, sha256, runId) => timed(`storeStage ${spec.table}`, records.storeStage(spec, stage, sha256, runId))
} satisfies Context.Tag.Service<typeof Records>)))

const measureIn = async (scale: number, inbox: string, rows: number) => {
  const store = Layer.mergeAll(TimedRecords.pipe(Layer.provide(RecordsLive)), FindingsStoreLive, RunLogLive, TimedCopyIn).pipe(Layer.provideMerge(DatabaseLive))
  const layer = IngestLive.pipe(Layer.provide(ProgressSilent), Layer.provideMerge(store))
  await Effect.runPromise(
    Effect.gen(function*() {
      global.gc?.()
      const rssBefore = process.memoryUsage().rss
      let peakRss = rssBefore
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)
      const cpuBefore = process.cpuUsage()
      const { summary, seconds, serverCpu } = yield* ingestOnce(inbox)
      const cpu = process.cpuUsage(cpuBefore)
      clearInterval(sampler)
      const applied = summary.files.reduce((n, f) => n + f.rowsApplied, 0)
      const rejected = summary.files.filter((f) => f.outcome === "rejected").map((f) => f.fileName)
      console.log(
        `scale ${scale}: ingest ${rows} rows (${applied} applied${rejected.length > 0 ? `, files rejected: ${rejected.join(" ")}` : ""}) ` +
          `in ${seconds.toFixed(2)} s = ${Math.round(rows / seconds)} rows/s; ` +
          `Node CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; server backend CPU ${serverCpu.toFixed(1)} s; ` +
          `Node RSS ${(rssBefore / 1e6).toFixed(0)} MB before, peak ${(peakRss / 1e6).toFixed(0)} MB during ingest`
      )
      const steps = [...stepSeconds].sort((a, b) => b[1] - a[1])
      console.log(`scale ${scale}: on the connection: ${steps.map(([step, s]) => `${step} ${s.toFixed(2)} s`).join(" · ")}`)
      stepSeconds.clear()
      const copied = yield* copyFloor(inbox)
      console.log(
        `scale ${scale}: floor (COPY into text columns) ${copied.rows} rows in ${copied.seconds.toFixed(2)} s = ` +
          `${Math.round(copied.rows / copied.seconds)} rows/s; ingest takes ${(seconds / copied.seconds).toFixed(1)}x the floor`
      )
    }).pipe(Effect.provide(layer), Effect.scoped, Logger.withMinimumLogLevel(LogLevel.Warning))
  )
}

for (const scale of scales) await measure(scale)
