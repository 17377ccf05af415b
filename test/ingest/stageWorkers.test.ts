// Ingest's worker threads (src/Ingest/StagePool.ts): a file staged on a worker must give
// the COPY text the main thread gives (sealed values differ only by their random nonce,
// so they are compared opened), the same counts, and the same rejection with its line;
// a file given up half way frees its worker for the next; a worker that stops fails the
// file as a fault, not as the file's rejection. Then a whole run with every file on a
// worker stores what a run on the main thread stores.
import { Effect, Logger, LogLevel } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { writeScaleInbox } from "../../fixtures/scale/scaleInbox.ts"
import { FileRejected } from "../../src/Domain/Errors.ts"
import { kindOfFileName } from "../../src/Domain/Kind.ts"
import { csvExports } from "../../src/Ingest/Exports.ts"
import { stagedLines } from "../../src/Ingest/StagedLines.ts"
import { makeStagePool, type StagePool, StageWorkerFailed, StageWorkers } from "../../src/Ingest/StagePool.ts"
import { readFailure } from "../../src/Ingest/Csv.ts"
import { decodedText, inspectFile, type OpenExport } from "../../src/Ingest/TextSource.ts"
import { Run } from "../../src/Run/Run.ts"
import { appLayer } from "../../src/App.ts"
import { randomKeyMaterial } from "../../src/Seal/KeyFile.ts"
import { addressContext } from "../../src/Seal/SealedColumns.ts"
import { makeSealer } from "../../src/Seal/Sealer.ts"
import { makeStageLines } from "../../src/Store/Records.ts"
import { bankTransferRow, bankTransfersCsv, crlf, orderItemsCsv, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

const sealer = makeSealer(randomKeyMaterial())
const fixtures = path.resolve(import.meta.dirname, "..", "..", "fixtures")

type Staged = { readonly text: string; readonly counts: { lines: number; blank: number } } | { readonly rejected: FileRejected }

// A file opened and inspected as ingest does (its encoding decided from its bytes).
const inspected = async (file: string) => {
  const handle = await fs.promises.open(file, "r")
  const size = (await handle.stat()).size
  const facts = await Effect.runPromise(inspectFile({ handle, size }))
  if (facts.verdict._tag !== "Decided") throw new Error(`${file}: ${facts.verdict.reason}`)
  const kind = kindOfFileName(path.basename(file)) as keyof typeof csvExports
  return { opened: { handle, size } satisfies OpenExport, encoding: facts.verdict.encoding, size, kind }
}

type Stage = (file: Awaited<ReturnType<typeof inspected>>) => AsyncIterable<Buffer>

// The text of a file, or its rejection as Ingest.ts takes what staging throws.
const staging = async (file: string, stage: Stage, counts: { lines: number; blank: number }): Promise<Staged> => {
  const facts = await inspected(file)
  try {
    let text = ""
    for await (const piece of stage(facts)) text += piece.toString("utf8")
    return { text, counts }
  } catch (cause) {
    return { rejected: cause instanceof FileRejected ? cause : readFailure(path.basename(file), cause) }
  } finally {
    await facts.opened.handle.close()
  }
}

const onMainThread = (file: string) => {
  const counts = { lines: 0, blank: 0 }
  return staging(file, ({ opened, encoding, kind }) =>
    stagedLines(path.basename(file), decodedText(opened, encoding), csvExports[kind], makeStageLines(sealer, csvExports[kind].table), counts), counts)
}

const onWorker = (pool: StagePool, file: string) => {
  const counts = { lines: 0, blank: 0 }
  return staging(file, ({ opened, encoding, size, kind }) => {
    const text = pool.stagedLines({ fileName: path.basename(file), fd: opened.handle.fd, encoding, kind }, size, counts)
    if (text === undefined) throw new Error("the pool kept the file on the main thread")
    return text
  }, counts)
}

// COPY text with each sealed value (bytea, \\x…) replaced by what it opens to.
const opened = (staged: Staged) => {
  if ("rejected" in staged) return staged
  const lines = staged.text.split("\n").map((line) =>
    line.split("\t").map((field) => {
      if (!field.startsWith("\\\\x")) return field
      const bytes = Buffer.from(field.slice(3), "hex")
      for (const context of [undefined, addressContext]) {
        try {
          return `opened:${sealer.open(bytes, context)}`
        } catch {
          // sealed under the other context, or not a sealed value: a keyed hash
        }
      }
      return field
    }).join("\t"))
  return { lines, counts: staged.counts }
}

const rejection = (staged: Staged) => ("rejected" in staged ? { line: staged.rejected.line, reason: staged.rejected.reason } : undefined)

let scaleDir: string
let badDir: string
let pool: StagePool
beforeAll(async () => {
  scaleDir = tempDir()
  await writeScaleInbox({ dir: scaleDir, count: 1_500, seed: 7 })
  badDir = writeInbox({
    // Rejected whole at its last line (a money file).
    "bank_transfers_20230901.csv": bankTransfersCsv(
      ...Array.from({ length: 3_000 }, (_, i) => bankTransferRow(`B${String(i).padStart(6, "0")}`, "1,000")),
      bankTransferRow("B999999", "千円")
    ),
    // Rows set aside with their lines, and the rest staged.
    "order_items_20230901.csv": orderItemsCsv(
      ...Array.from({ length: 2_000 }, (_, i) => `PS-${String(i + 1).padStart(8, "0")},I1,新刊,1,500`),
      "PS-00000001,I2,\"閉じない引用符,1,500"
    ),
    "orders_20230901.csv": { text: ordersCsv("PS-00000001,2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500"), encoding: "cp932" },
    // A header that is not the export's.
    "parcels_20230901.csv": crlf("受付番号,何か", "IN-1,x")
  })
  pool = makeStagePool(sealer, { threads: 2, minBytes: 0 })
})
afterAll(async () => {
  await pool.close()
  for (const dir of [scaleDir, badDir]) fs.rmSync(dir, { recursive: true, force: true })
})

const csvFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".csv")).sort().map((f) => path.join(dir, f))

describe("a file staged on a worker thread", () => {
  it("gives the main thread's COPY text and counts, for every kind of export", async () => {
    const files = [...csvFiles(path.join(fixtures, "sample")), ...csvFiles(scaleDir)]
    expect(new Set(files.map((f) => kindOfFileName(path.basename(f)))).size).toBe(Object.keys(csvExports).length)
    for (const file of files) {
      const [main, worker] = await Promise.all([onMainThread(file), onWorker(pool, file)])
      expect(rejection(main), file).toBeUndefined()
      expect(opened(worker), file).toEqual(opened(main))
    }
  })

  it("rejects what the main thread rejects, at the same line and for the same reason, and sets aside the same rows", async () => {
    const files = [...csvFiles(badDir), ...csvFiles(path.join(fixtures, "bad-input"))]
    const outcomes = await Promise.all(files.map(async (file) => [await onMainThread(file), await onWorker(pool, file)] as const))
    for (const [i, [main, worker]] of outcomes.entries()) expect(opened(worker), files[i]).toEqual(opened(main))
    // The cases are there: a money file rejected at its last line, a header rejected, rows set aside.
    const byName = Object.fromEntries(files.map((f, i) => [path.relative(fixtures, f).startsWith("..") ? path.basename(f) : `fixtures:${path.basename(f)}`, outcomes[i]![1]]))
    expect(rejection(byName["bank_transfers_20230901.csv"]!)?.line).toBe(3_002)
    expect(rejection(byName["parcels_20230901.csv"]!)?.line).toBe(1)
    const items = opened(byName["order_items_20230901.csv"]!)
    // Staged with its line and reason (the second column), where a row has none.
    const setAside = "lines" in items ? items.lines.filter((line) => line !== "" && line.split("\t")[1] !== "\\N") : []
    expect(setAside.map((line) => line.split("\t")[0])).toEqual(["2002"])
  })

  it("frees its worker for the next file when the file is given up half way", async () => {
    const single = makeStagePool(sealer, { threads: 1, minBytes: 0 })
    try {
      const [first, second] = csvFiles(scaleDir).slice(-2) as [string, string]
      const facts = await inspected(first)
      const counts = { lines: 0, blank: 0 }
      for await (const _ of single.stagedLines({ fileName: "first.csv", fd: facts.opened.handle.fd, encoding: facts.encoding, kind: facts.kind }, facts.size, counts)!) break
      await facts.opened.handle.close()
      expect(opened(await onWorker(single, second))).toEqual(opened(await onMainThread(second)))
    } finally {
      await single.close()
    }
  })

  it("fails as a fault, not as the file's rejection, when its worker stops", async () => {
    const doomed = makeStagePool(sealer, { threads: 1, minBytes: 0 })
    const facts = await inspected(csvFiles(scaleDir).find((f) => path.basename(f).startsWith("order_items"))!)
    try {
      const text = doomed.stagedLines({ fileName: "x.csv", fd: facts.opened.handle.fd, encoding: facts.encoding, kind: facts.kind }, facts.size, { lines: 0, blank: 0 })!
      const read = (async () => {
        for await (const _ of text) await doomed.close()
      })()
      await expect(read).rejects.toBeInstanceOf(StageWorkerFailed)
    } finally {
      await facts.opened.handle.close()
    }
  })

  it("is not used for a file below the size, nor with no threads", () => {
    const counts = { lines: 0, blank: 0 }
    const job = { fileName: "x.csv", fd: 0, encoding: "utf-8", kind: "orders" } as const
    expect(makeStagePool(sealer, { threads: 2, minBytes: 100 }).stagedLines(job, 99, counts)).toBeUndefined()
    expect(makeStagePool(sealer, { threads: 0, minBytes: 0 }).stagedLines(job, 1 << 30, counts)).toBeUndefined()
  })
})

describe("a run with every file staged on a worker thread", () => {
  const tables = [
    "SELECT order_id, seller_id, status, changed_run FROM orders ORDER BY 1",
    "SELECT order_id, item_id, quantity FROM order_items ORDER BY 1, 2",
    "SELECT order_id, sealed_digest FROM shipping_addresses ORDER BY 1",
    "SELECT request_id, amount, account_masked, account_number_key, holder_key, destination_key, holder_writable, sealed_digest FROM payout_requests ORDER BY 1",
    "SELECT channel, transfer_id, amount, account_masked, account_number_key, holder_key, destination_key, sealed_digest FROM transfers ORDER BY 1, 2",
    "SELECT code, subject_id, related_id, detail FROM findings ORDER BY 1, 2, 3"
  ]
  const runWith = async (threads: number) => {
    const url = await createTestDatabase()
    const inbox = tempDir()
    for (const dir of [scaleDir, badDir]) for (const f of fs.readdirSync(dir)) fs.copyFileSync(path.join(dir, f), path.join(inbox, f))
    const result = await Effect.runPromise(
      Effect.flatMap(Run, (run) => run.run({ inbox, outDir: tempDir(), asOf: "2023-09-05" })).pipe(
        Effect.provide(appLayer(databaseLayer(url))),
        Effect.provideService(StageWorkers, { threads, minBytes: 0 }),
        Effect.scoped,
        Logger.withMinimumLogLevel(LogLevel.Warning)
      )
    )
    fs.rmSync(inbox, { recursive: true, force: true })
    return { url, result }
  }

  it("stores the rows, keyed hashes and findings of a run on the main thread", async () => {
    const [main, workers] = await Promise.all([runWith(0), runWith(2)])
    expect(workers.result.ingest.files).toEqual(main.result.ingest.files)
    for (const text of tables) expect(await query(workers.url, text), text).toEqual(await query(main.url, text))
  })
})
