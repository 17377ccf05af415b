// Probe: the cost of writing many small seller lists, the way a run writes them (a new
// WorkbookWriter per file, staged through AtomicFile). Prints ms per file; asserts nothing.
//
//   npx tsx bench/seller-probe.ts [--files 300] [--rows 8] [--concurrency 2] [--level N] [--no-flush] [--exceljs] [--in-memory]
//   npx tsx bench/seller-probe.ts --split [--files 300]      where one file's time goes, one at a time, in sync calls:
//                                                           render, open, write, fsync, close, rename, lstat
//   npx tsx bench/seller-probe.ts --staged [--concurrency 8] [--batch 64]  the run's way (Reports.ts): into a
//                                                           staged folder in batches, each batch flushed N at a time
//   npx tsx bench/seller-probe.ts --two-pass [--concurrency 8] [--batch N]  the same in sync calls, timed per pass
//
// By default the lists go through the run's writer (SellerListWriter.ts: exceljs writes
// the first list, the others are filled in from it); --exceljs writes every one with exceljs;
// --in-memory only makes the files' bytes (the writer's own cost, no file system).
//   node --cpu-prof --cpu-prof-dir /tmp/prof --import tsx bench/seller-probe.ts
import { Chunk, Effect, Stream } from "effect"
import type { ReportWriteFailed } from "../src/Domain/Errors.ts"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ownerOnly, partialName, stageFile, syncFolder, writeIntoStagedFolder } from "../src/Report/AtomicFile.ts"
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
const split = process.argv.includes("--split")
const staged = process.argv.includes("--staged")

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

// One file at a time, each system call timed on its own (sync calls, so nothing overlaps).
const splitProgram = Effect.gen(function*() {
  const ms = { render: 0, open: 0, write: 0, fsync: 0, close: 0, rename: 0, lstat: 0 }
  for (let n = 0; n < files + 20; n++) {
    const t0 = performance.now()
    const bytes = yield* sellerListWriter.bytes(listOf(n))
    const target = path.join(dir, `S${n}.xlsx`)
    const partial = partialName(target)
    const t1 = performance.now()
    const fd = fs.openSync(partial, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600)
    fs.fchmodSync(fd, 0o600)
    const t2 = performance.now()
    fs.writeSync(fd, bytes)
    const t3 = performance.now()
    fs.fsyncSync(fd)
    const t4 = performance.now()
    fs.closeSync(fd)
    const t5 = performance.now()
    fs.renameSync(partial, target)
    const t6 = performance.now()
    fs.lstatSync(target, { bigint: true })
    const t7 = performance.now()
    if (n < 20) continue // warm-up
    ms.render += t1 - t0
    ms.open += t2 - t1
    ms.write += t3 - t2
    ms.fsync += t4 - t3
    ms.close += t5 - t4
    ms.rename += t6 - t5
    ms.lstat += t7 - t6
  }
  const total = Object.values(ms).reduce((a, b) => a + b, 0)
  console.log(`split, one at a time: ${files} lists of ${rowsPerList} rows: ${(total / files).toFixed(2)} ms per file: ` +
    Object.entries(ms).map(([k, v]) => `${k} ${(v / files).toFixed(3)}`).join(", "))
})

// The run's way: rendered one at a time, into a staged folder in batches (--batch, 64),
// each flushed `concurrency` files at a time.
const stagedProgram = Effect.gen(function*() {
  const folder = path.join(dir, "sellers-staged")
  fs.mkdirSync(folder, { mode: 0o700 })
  const began = performance.now()
  const cpu = process.cpuUsage()
  yield* Stream.range(0, files - 1).pipe(
    Stream.mapEffect((n) => Effect.map(sellerListWriter.bytes(listOf(n)), (bytes) => ({ n, bytes }))),
    Stream.grouped(arg("--batch", 64)),
    Stream.mapEffect((batch) => writeIntoStagedFolder(Chunk.toReadonlyArray(batch).map(({ bytes, n }) => ({ file: path.join(folder, `S${n}.xlsx`), bytes })), ownerOnly, concurrency)),
    Stream.runDrain
  )
  yield* syncFolder(folder)
  const ms = performance.now() - began
  const used = process.cpuUsage(cpu)
  console.log(`staged folder, batches of ${arg("--batch", 64)}, ${concurrency} flushes in flight: ${files} lists of ${rowsPerList} rows: ${(ms / files).toFixed(2)} ms per file (CPU ${((used.user + used.system) / 1000 / files).toFixed(2)} ms), ${(ms / 1000).toFixed(2)} s`)
})

// Written first, all of them (page cache only), then each flushed: the kernel has been
// writing them back meanwhile, and a flush of an inode already on disk is cheap.
const twoPassProgram = Effect.gen(function*() {
  const folder = path.join(dir, "sellers-two-pass")
  fs.mkdirSync(folder, { mode: 0o700 })
  const began = performance.now()
  const batch = arg("--batch", files)
  let writing = 0
  let flushing = 0
  for (let from = 0; from < files; from += batch) {
  const t0 = performance.now()
  const names: Array<string> = []
  for (let n = from; n < Math.min(files, from + batch); n++) {
    const bytes = yield* sellerListWriter.bytes(listOf(n))
    const file = path.join(folder, `S${n}.xlsx`)
    const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600)
    fs.fchmodSync(fd, 0o600)
    fs.writeSync(fd, bytes)
    fs.closeSync(fd)
    names.push(file)
  }
  const written = performance.now()
  writing += written - t0
  yield* Effect.forEach(names, (file) => Effect.promise(async () => {
    const handle = await fs.promises.open(file, "r")
    await handle.sync()
    await handle.close()
  }), { concurrency, discard: true })
  flushing += performance.now() - written
  }
  yield* syncFolder(folder)
  const ms = performance.now() - began
  console.log(`two passes (batches of ${batch}), flushes ${concurrency} in flight: ${files} lists: ${(ms / files).toFixed(2)} ms per file (writing ${(writing / files).toFixed(2)}, flushing ${(flushing / files).toFixed(2)})`)
})

const program = process.argv.includes("--two-pass") ? twoPassProgram : split ? splitProgram : staged ? stagedProgram : Effect.gen(function*() {
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
