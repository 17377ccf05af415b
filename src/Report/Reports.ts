// Writes the two workbooks of a run, and each side's findings CSV, beside their final place (AtomicFile: owner-only,
// unpredictable partial names), so that a failed run publishes nothing and a reader never
// opens half a file.
import { SqlClient, type Statement } from "@effect/sql"
import { Chunk, Context, Effect, Layer, Stream } from "effect"
import { logElapsed } from "../Log.ts"
import ExcelJS from "exceljs"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import type { Writable } from "node:stream"
import { ReportWriteFailed } from "../Domain/Errors.ts"
import type { ShippingScope } from "../Domain/ShippingScope.ts"
import type { IngestSummary } from "../Ingest/Ingest.ts"
import { Sealer } from "../Seal/Sealer.ts"
import { type FindingRow, FindingsStore } from "../Store/FindingsStore.ts"
import type { RetentionOutcome } from "../Store/Retention.ts"
import { payoutQueries } from "../Store/PayoutQueries.ts"
import { makeShippingQueries } from "../Store/ShippingQueries.ts"
import {
  ensureDirectory,
  type FileAccess,
  partialName,
  removeLeftoverPartials,
  reportAccess,
  stageFile,
  type StagedFile,
  syncFolder,
  writeIntoStagedFolder
} from "./AtomicFile.ts"
import { writeFinanceWorkbook } from "./FinanceWorkbook.ts"
import { copyFindingsCsv } from "./FindingsCsv.ts"
import {
  type PublishedSellerList,
  type SellerListFileStat,
  SellerListRecords,
  sellerListScope,
  sellerListsStore
} from "../Store/SellerListsStore.ts"
import type { SellerOpenRow } from "../Store/ShippingQueries.ts"
import { makeSellerListWriter } from "./SellerListWriter.ts"
import { bySeller, sellerFileName, sellerListDigest, sellerListFormat, writeSellerSheet } from "./SellerLists.ts"
import { newReportWorkbook } from "./Sheet.ts"
import { defaultSheetRowCap, findingsCsvName } from "./SheetCap.ts"
import { writeShippingWorkbook } from "./ShippingWorkbook.ts"

export interface RunFacts {
  readonly runId: number
  readonly asOf: string
  readonly ingest: IngestSummary
  /** How many findings of each code the run raised. */
  readonly countsByCode: ReadonlyMap<string, number>
  /** The counts each workbook shows: its own codes, and the input findings its readers may see. */
  readonly countsBySide: { readonly shipping: ReadonlyMap<string, number>; readonly payout: ReadonlyMap<string, number> }
  /** What this run's retention removes (docs/privacy.md). */
  readonly retention: RetentionOutcome
  /** A trial run (`--dry-run`): nothing is committed; its workbooks say 試行. */
  readonly dryRun?: boolean
  /** The seller lists of this run, once written (the shipping サマリー counts them). */
  readonly sellerLists?: SellerListCounts
  /**
   * The order refs an incremental night reconciled (docs/nightly.md): only the sellers
   * whose lists can have changed are read again. Undefined: a full run reads every seller.
   */
  readonly nightScope?: ShippingScope
}

/** Seller lists written tonight (new or changed: the ones to send) and carried unchanged. */
export interface SellerListCounts {
  readonly written: number
  readonly carried: number
}

export interface StagedReports {
  readonly directory: string
  /** Fails when a written file is gone (its folder was removed): run it just before committing. */
  readonly check: Effect.Effect<void, ReportWriteFailed>
  /** How many per-seller lists there are (OUT/<as_of>/sellers/). */
  readonly sellerFiles: number
  readonly sellerLists: SellerListCounts
  /** How many sellers' rows were read for their lists: every seller's ("all"), or on a night only those whose list can have changed. */
  readonly sellersRead: number | "all"
  /** Moves the written files into place. */
  readonly publish: Effect.Effect<ReadonlyArray<string>, ReportWriteFailed>
  readonly discard: Effect.Effect<void>
}

export class Reports extends Context.Tag("keshikomi/Reports")<Reports, {
  readonly stage: (facts: RunFacts, outDir: string) => Effect.Effect<StagedReports, ReportWriteFailed>
  /** Removes partial files left by runs that died (call it holding the run lock). */
  readonly removeLeftovers: (outDir: string) => Effect.Effect<number>
}>() {}

export interface WorkbookStamp {
  readonly side: "shipping" | "finance" | "seller"
  readonly asOf: string
  readonly runId: number
  /** Written by a trial run (`--dry-run`, 試行), whose findings were never committed. */
  readonly trial: boolean
}

/** Where the run's workbooks go: OUT/<as_of>/, or OUT/<as_of>/dry-run/ for a trial. */
export const reportDirectory = (outDir: string, asOf: string, dryRun: boolean) =>
  dryRun ? path.join(outDir, asOf, "dry-run") : path.join(outDir, asOf)

// Kept in the workbook's keywords; `resolve --from-workbook` reads it back to accept
// only the latest committed run's workbook.
export const workbookStamp = (stamp: WorkbookStamp) =>
  `keshikomi ${stamp.side} as_of=${stamp.asOf} run=${stamp.runId}${stamp.trial ? " 試行" : ""}`

export const readWorkbookStamp = (keywords: string | undefined): WorkbookStamp | undefined => {
  const m = /^keshikomi (shipping|finance|seller) as_of=(\d{4}-\d{2}-\d{2}) run=(\d+)( 試行)?$/.exec(keywords ?? "")
  return m === null
    ? undefined
    : { side: m[1] as WorkbookStamp["side"], asOf: m[2]!, runId: Number(m[3]), trial: m[4] !== undefined }
}

const sideTitles = { shipping: "発送照合 shipping.xlsx", finance: "支払照合 finance.xlsx", seller: "未着のご注文" } as const

/** The title on every page of a workbook; a trial run's says 試行 first. */
export const workbookTitle = (side: WorkbookStamp["side"], facts: RunFacts) =>
  `${facts.dryRun === true ? "【試行】" : ""}${sideTitles[side]}`

const failWith = (target: string) => (cause: unknown) =>
  new ReportWriteFailed({ path: target, reason: cause instanceof Error ? cause.message : String(cause) })

export interface ReportOptions {
  /** The most findings a sheet lists; past it, the CSV holds them (SheetCap.ts). Default 100,000. */
  readonly sheetRowCap?: number
  /** How many seller lists of a batch are flushed to disk at once. Default 8. */
  readonly sellerFlushesInFlight?: number
}

// Seller lists go to disk in batches of 64 (a list is a few KB: memory stays flat), each
// batch written and then flushed 8 at a time. Flushed one by one right after each write,
// the flush was most of a list's time; files written in flight side by side (their
// creates beside others' flushes) were slower still (bench/seller-probe.ts).
const sellerBatch = 64
const defaultSellerFlushesInFlight = 8

export const makeReportsLive = (options?: ReportOptions) => Layer.effect(Reports, Effect.gen(function*() {
  const cap = options?.sheetRowCap ?? defaultSheetRowCap
  const sellerFlushesInFlight = options?.sellerFlushesInFlight ?? defaultSellerFlushesInFlight
  const findings = yield* FindingsStore
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const shippingQueries = makeShippingQueries(sql, sealer)
  const payouts = payoutQueries(sql, sealer)
  const sellerLists = sellerListsStore(sql)

  // A workbook of the run written into `stream`; yields it once committed.
  const buildWorkbook = (
    side: WorkbookStamp["side"],
    facts: RunFacts,
    target: string,
    stream: Writable,
    build: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => Effect.Effect<void>
  ) =>
    Effect.gen(function*() {
      const workbook = newReportWorkbook({ stream }, {
        title: workbookTitle(side, facts),
        // Read back by `resolve --from-workbook`: only the latest committed run's workbook is accepted.
        keywords: workbookStamp({ side, asOf: facts.asOf, runId: facts.runId, trial: facts.dryRun === true }),
        asOf: facts.asOf
      })
      yield* build(workbook)
      yield* Effect.tryPromise({ try: () => workbook.commit(), catch: failWith(target) })
      return workbook
    })

  const writeOne = (
    side: WorkbookStamp["side"],
    facts: RunFacts,
    target: string,
    access: FileAccess,
    build: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => Effect.Effect<void>
  ) => stageFile(target, access, (stream) => Effect.asVoid(buildWorkbook(side, facts, target, stream, build)))

  // Every finding of a side, as lines the server formats and copies out (FindingsCsv.ts).
  const writeCsv = (target: string, access: FileAccess, rows: Statement.Statement<FindingRow>) =>
    stageFile(target, access, (stream) => Effect.asVoid(copyFindingsCsv(sql, stream, rows)))

  // How long each file took, in the log beside the run's steps (the nightly log, the bench).
  const timedReport = <A, E>(file: string, write: Effect.Effect<A, E>) => logElapsed("report written", { file }, write)

  // One run's seller lists, staged in `sellersStaging`. A function of its own so that the
  // last run's lists and this run's (one record per seller: 37,772 at 1M) are garbage once
  // the step ends, not held while the workbooks are written.
  //
  // A night reads again only the sellers whose list can have changed (the scope table,
  // SellerListsStore.scopeToChanged) and those whose published file cannot be carried;
  // every other list is carried as it stands, its rows not read. A full run, or a night
  // after the list format changed, reads every seller and carries what is unchanged.
  const stageSellerLists = (facts: RunFacts, access: FileAccess, sellersStaging: string, sellersTarget: string) =>
    Effect.gen(function*() {
      const recorded = yield* sellerLists.recorded(sellerListFormat)
      const scope = facts.nightScope !== undefined && recorded.otherFormat === 0 ? facts.nightScope : undefined
      const lists = new SellerListRecords()
      const counts = { written: 0, carried: 0 }
      // Where the step's time goes, for the nightly log and the bench: ms in each part
      // (`waitMs`: waiting for the next seller's rows; `fileMs`: creating, writing and
      // flushing the files; `folderMs`: flushing the folder; `unreadMs`: carrying the
      // lists of sellers not read again), and how many carried files had to be read
      // because their stat differed.
      const spent = { wait: 0, digest: 0, carry: 0, render: 0, file: 0, folder: 0, rehashed: 0, unread: 0 }
      const read = { sellers: 0, unread: 0, notCarried: 0 }
      if (scope !== undefined) {
        read.sellers = yield* sellerLists.scopeToChanged(scope.orderRefs)
        // The others' lists are unchanged: carried unread, unless the file is gone or not as written.
        const began = performance.now()
        const notCarried: Array<string> = []
        yield* sellerLists.eachPublishedOutOfScope((page) => {
          const carriedPage: Array<PublishedSellerList> = []
          for (const previous of page) {
            const name = sellerFileName(previous.seller_id)
            const carried = carryUnchanged(previous, path.join(sellersStaging, name))
            if (carried === undefined) {
              notCarried.push(previous.seller_id)
              continue
            }
            counts.carried++
            read.unread++
            if (carried.rehashed) spent.rehashed++
            carriedPage.push({ ...previous, published_path: path.resolve(sellersTarget, name), file_stat: carried.stat })
          }
          // A trial records nothing.
          return facts.dryRun === true ? Effect.void : sellerLists.recordCarried(carriedPage)
        })
        spent.unread = performance.now() - began
        read.notCarried = notCarried.length
        yield* sellerLists.addToScope(notCarried)
      }
      const published = scope === undefined ? yield* sellerLists.published : yield* sellerLists.publishedInScope
      // exceljs writes the first list of each kind; the others are filled in from it (SellerListWriter.ts).
      const sellerListWriter = makeSellerListWriter(facts.asOf, (rows, stream) =>
        buildWorkbook("seller", facts, sellersTarget, stream, (wb) => writeSellerSheet(wb, rows, facts.asOf)))
      let lastEnd = performance.now()
      // Each list's content is digested, carried or rendered one at a time (the writer
      // keeps its templates); the rendered bytes then go to disk several at once.
      const prepare = (rows: ReadonlyArray<SellerOpenRow>) =>
        Effect.gen(function*() {
          const began = performance.now()
          spent.wait += began - lastEnd
          const sellerId = rows[0]!.seller_id
          const name = sellerFileName(sellerId)
          const staged = path.join(sellersStaging, name)
          const digest = sellerListDigest(rows)
          const previous = published.get(sellerId)
          const digested = performance.now()
          spent.digest += digested - began
          const carried = previous !== undefined && previous.content_sha256 === digest ? carryUnchanged(previous, staged) : undefined
          const list = { seller_id: sellerId, content_sha256: digest, published_path: path.resolve(sellersTarget, name) }
          if (carried !== undefined && previous !== undefined) {
            counts.carried++
            if (carried.rehashed) spent.rehashed++
            lastEnd = performance.now()
            spent.carry += lastEnd - digested
            return {
              ...list,
              written_as_of: previous.written_as_of,
              written_run: previous.written_run,
              file_sha256: previous.file_sha256,
              file_stat: carried.stat
            } satisfies PublishedSellerList
          }
          spent.carry += performance.now() - digested
          const rendering = performance.now()
          const bytes = yield* sellerListWriter.bytes(rows)
          counts.written++
          const written = {
            ...list,
            written_as_of: facts.asOf,
            written_run: facts.runId,
            // The bytes about to be written, hashed without reading the file back.
            file_sha256: createHash("sha256").update(bytes).digest("hex")
          }
          lastEnd = performance.now()
          spent.render += lastEnd - rendering
          return { staged, bytes, written }
        })
      type Prepared = PublishedSellerList | { readonly staged: string; readonly bytes: Buffer; readonly written: Omit<PublishedSellerList, "file_stat"> }
      // A batch's new lists written, then flushed together (AtomicFile.writeIntoStagedFolder).
      const toDisk = (batch: Chunk.Chunk<Prepared>) =>
        Effect.suspend(() => {
          const began = performance.now()
          const toWrite = Chunk.toReadonlyArray(batch).flatMap((p) => ("bytes" in p ? [p] : []))
          if (toWrite.length === 0) return Effect.succeed(batch as Chunk.Chunk<PublishedSellerList>)
          return writeIntoStagedFolder(toWrite.map((p) => ({ file: p.staged, bytes: p.bytes })), access, sellerFlushesInFlight).pipe(
            Effect.map((stats) => {
              spent.file += performance.now() - began
              const statOf = new Map(toWrite.map((p, i) => [p, stats[i]!]))
              return Chunk.map(batch, (p): PublishedSellerList =>
                "bytes" in p ? { ...p.written, file_stat: statFields(statOf.get(p)!) } : p)
            })
          )
        })
      // Every seller's rows, or on a night those of the sellers in the scope table.
      const sellersRead = scope === undefined ? "all" as const : read.sellers + read.notCarried
      yield* timedReport("sellers/", Effect.gen(function*() {
        yield* bySeller(shippingQueries.sellerOpenOrders(scope === undefined ? undefined : sellerListScope)).pipe(
          Stream.mapEffect(prepare),
          // Batches of lists (bounded: memory stays flat), each flushed together.
          Stream.grouped(sellerBatch),
          Stream.mapEffect(toDisk),
          Stream.runForEach((batch) => Effect.sync(() => Chunk.forEach(batch, (list) => lists.add(list))))
        )
        // The folder's entries flushed too, before anything can publish it.
        const syncing = performance.now()
        yield* syncFolder(sellersStaging)
        spent.folder += performance.now() - syncing
      }))
      yield* Effect.logInfo("sellers part finished").pipe(Effect.annotateLogs({
        waitMs: Math.round(spent.wait), digestMs: Math.round(spent.digest), carryMs: Math.round(spent.carry),
        renderMs: Math.round(spent.render), fileMs: Math.round(spent.file), folderMs: Math.round(spent.folder),
        flushesInFlight: sellerFlushesInFlight, batch: sellerBatch, written: counts.written, carried: counts.carried, carriedRehashed: spent.rehashed,
        sellersRead,
        carriedUnread: read.unread, unreadMs: Math.round(spent.unread),
        ...sellerListWriter.stats()
      }))
      // A trial records nothing: the next committed run carries from the last committed folder.
      if (facts.dryRun !== true) yield* sellerLists.replace(lists, sellerListFormat, scope !== undefined)
      yield* Effect.logInfo(`頒布者ごとの一覧: 新規・変更 ${counts.written} 件（送付するもの）、変更なしで引き継ぎ ${counts.carried} 件`).pipe(
        Effect.annotateLogs({ sellerListsWritten: counts.written, sellerListsCarried: counts.carried })
      )
      return { counts, fileCount: lists.size + read.unread, sellersRead }
    })

  const stage = (facts: RunFacts, outDir: string) => {
    const directory = reportDirectory(outDir, facts.asOf, facts.dryRun === true)
    const files: Array<StagedFile> = []
    // The seller lists are written into a folder of their own and replace the previous
    // folder whole, so that a seller who has no open order any more has no file.
    const sellersTarget = path.join(directory, "sellers")
    const sellersStaging = partialName(sellersTarget)
    const discard = Effect.andThen(
      Effect.forEach(files, (file) => file.discard, { discard: true }),
      Effect.sync(() => fs.rmSync(sellersStaging, { recursive: true, force: true }))
    )
    return Effect.gen(function*() {
      const access = yield* reportAccess
      yield* ensureDirectory(directory, access)
      // The seller lists first: the shipping サマリー says how many are new or changed.
      yield* ensureDirectory(sellersStaging, access)
      const { counts, fileCount, sellersRead } = yield* stageSellerLists(facts, access, sellersStaging, sellersTarget)
      const withSellers = { ...facts, sellerLists: counts }
      files.push(yield* timedReport("shipping.xlsx", writeOne("shipping", withSellers, path.join(directory, "shipping.xlsx"), access, (wb) => writeShippingWorkbook(wb, withSellers, findings, shippingQueries, cap))))
      files.push(yield* timedReport(findingsCsvName("shipping"), writeCsv(path.join(directory, findingsCsvName("shipping")), access, findings.raisedByQuery(facts.runId, "shipping"))))
      files.push(yield* timedReport("finance.xlsx", writeOne("finance", facts, path.join(directory, "finance.xlsx"), access, (wb) => writeFinanceWorkbook(wb, facts, findings, payouts, cap))))
      files.push(yield* timedReport(findingsCsvName("finance"), writeCsv(path.join(directory, findingsCsvName("finance")), access, findings.raisedByQuery(facts.runId, "payout"))))
      const publishSellers = Effect.try({
        try: () => {
          fs.rmSync(sellersTarget, { recursive: true, force: true })
          fs.renameSync(sellersStaging, sellersTarget)
          return sellersTarget
        },
        catch: failWith(sellersTarget)
      }).pipe(Effect.tap(() => syncFolder(directory)))
      return {
        directory,
        sellerFiles: fileCount,
        sellerLists: counts,
        sellersRead,
        check: Effect.forEach(files, (file) => file.check, { discard: true }),
        publish: Effect.forEach(files, (file) => file.publish).pipe(
          Effect.zipWith(publishSellers, (workbooks, sellers) => [...workbooks, sellers])
        ),
        discard
      } satisfies StagedReports
    }).pipe(Effect.onError(() => discard), Effect.withSpan("Reports.stage"))
  }

  return { stage, removeLeftovers: removeLeftoverPartials }
}))

export const ReportsLive = makeReportsLive()

const sha256OfFile = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex")

const statFields = (stat: fs.BigIntStats): SellerListFileStat =>
  ({ size: String(stat.size), mtime_ns: String(stat.mtimeNs), ino: String(stat.ino), dev: String(stat.dev) })
const fileStat = (file: string) => statFields(fs.lstatSync(file, { bigint: true }))
const sameStat = (recorded: SellerListFileStat | undefined, now: SellerListFileStat) =>
  recorded !== undefined && recorded.size === now.size && recorded.mtime_ns === now.mtime_ns &&
  recorded.ino === now.ino && recorded.dev === now.dev

/**
 * Carries an unchanged seller list into the new folder: a hard link to the last published
 * file (a copy where linking fails), once that file is checked to be still there and
 * still the bytes written (staff may have opened and saved it). A file whose size, mtime,
 * inode and device are still those recorded when it was written is trusted unread: any
 * save changes its mtime (and a save by Excel or LibreOffice its inode too), and the stat
 * is recorded before the folder is published, so no later write can share its mtime. A
 * file whose stat differs is hashed. Undefined: write it anew.
 */
const carryUnchanged = (
  previous: PublishedSellerList,
  staged: string
): { readonly stat: SellerListFileStat; readonly rehashed: boolean } | undefined => {
  let rehashed = false
  let stat: fs.BigIntStats
  try {
    stat = fs.lstatSync(previous.published_path, { bigint: true })
    if (!stat.isFile()) return undefined
    if (!sameStat(previous.file_stat, statFields(stat))) {
      rehashed = true
      if (sha256OfFile(previous.published_path) !== previous.file_sha256) return undefined
    }
  } catch {
    return undefined
  }
  let linked = true
  try {
    fs.linkSync(previous.published_path, staged)
  } catch {
    linked = false
    try {
      fs.copyFileSync(previous.published_path, staged, fs.constants.COPYFILE_EXCL)
    } catch {
      return undefined
    }
  }
  // A link has the file's stat (size, mtime, inode, device: `stat` above); a copy its own
  // (recorded, so it is trusted next night).
  if (linked) return { stat: statFields(stat), rehashed }
  try {
    return { stat: fileStat(staged), rehashed }
  } catch {
    return undefined
  }
}
