// Reads the inbox and applies each export to the database, in kind order then name
// order. Each file is applied inside its own savepoint, so a file that is rejected
// whole leaves nothing behind; rows set aside are kept, with their reasons, as findings.
// A file's rows go to the server as one COPY stream (src/Store/CopyIn.ts): Node decodes
// and seals the next rows while the server stores the last ones. A reader ahead keeps
// Node busy while the server runs a file's set-based statements too: it opens, hashes,
// decodes and seals the next file into a spool (src/Ingest/Spool.ts), which that file's
// COPY takes once the run's one connection is free. Nothing it does touches the database.
import { SqlClient } from "@effect/sql"
import { Context, Deferred, Effect, Layer, Runtime } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { FileRejected, InboxUnreadable } from "../Domain/Errors.ts"
import type { Finding } from "../Domain/Finding.ts"
import { exportKinds, type ExportKind, kindOfFileName } from "../Domain/Kind.ts"
import { Progress } from "./Progress.ts"
import { Sealer } from "../Seal/Sealer.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import { CopyIn } from "../Store/CopyIn.ts"
import { Records } from "../Store/Records.ts"
import { escapeControls, displayFileName } from "../Domain/Display.ts"
import { readFailure } from "./Csv.ts"
import { type AnyCsvExport, csvExports } from "./Exports.ts"
import { applySchedule } from "./Schedule.ts"
import { makeSpillFolder, SpillFailed, type SpillFolder, Spool, SpoolClosed } from "./Spool.ts"
import { stagedLines } from "./StagedLines.ts"
import { makeStagePool, type StagePool, StageWorkerFailed, StageWorkers } from "./StagePool.ts"
import { decodedText, type FileFacts, inspectFile, type OpenExport, openExport } from "./TextSource.ts"

export interface FileOutcome {
  readonly fileName: string
  readonly kind: ExportKind | undefined
  readonly sha256: string | undefined
  readonly outcome: "applied" | "already_applied" | "rejected"
  readonly rowsApplied: number
  readonly rowsRejected: number
  /** Records of empty cells only (the ,,,, rows spreadsheets leave), skipped. */
  readonly rowsBlank: number
}

export interface IngestSummary {
  readonly files: ReadonlyArray<FileOutcome>
  /** True when any input of this inbox was rejected, whole or in part (exit status 2). */
  readonly anyRejected: boolean
}

export class Ingest extends Context.Tag("keshikomi/Ingest")<Ingest, {
  readonly ingestInbox: (inbox: string, runId: number) => Effect.Effect<IngestSummary, InboxUnreadable>
}>() {}

// Progress is told at most this often (in lines).
const progressEveryLines = 20_000
// The reader ahead works on at most this many files past the one being stored, and a
// spool holds at most this much COPY text in memory (the rest waits in its spill file):
// memory in flight stays under (filesAhead + 1) × spoolMemoryBytes whatever the sizes.
const filesAhead = 1
const spoolMemoryBytes = 16 << 20

/** A CSV export decoded ahead: its COPY text in a spool, and its counts once the spool ends. */
interface StagedAhead {
  readonly spool: Spool
  readonly counts: { lines: number; blank: number }
}

/** What the reader ahead made of an inbox file, before the run's connection is free for it. */
type Ahead =
  /** Not a CSV export it may open (not a regular file, no kind, the schedule): read when applied. */
  | { readonly _tag: "NotRead" }
  | { readonly _tag: "Unreadable"; readonly reason: string }
  /** Opened and hashed; decoded into `staged` when its encoding was accepted and it is not empty. */
  | { readonly _tag: "Inspected"; readonly facts: FileFacts; readonly staged: StagedAhead | undefined }

/**
 * Fills `spool` with `source`; whatever `source` throws (a rejected file, an unreadable
 * one) is the spool's failure, thrown to its reader after the text before it. Stops
 * when the spool is closed (the file was skipped, or the run ended).
 */
const fillSpool = async (spool: Spool, counts: StagedAhead["counts"], source: AsyncIterable<Buffer>) => {
  try {
    for await (const piece of source) await spool.write(piece, counts.lines)
    spool.end()
  } catch (cause) {
    if (!(cause instanceof SpoolClosed)) spool.fail(cause)
  }
}

interface InboxFile {
  /** The name as shown and stored: control characters and bytes that are not UTF-8 escaped. */
  readonly fileName: string
  /** The real path (bytes), used only to open the file. */
  readonly filePath: Buffer
  readonly kind: ExportKind | undefined
  /** Set when the entry is not a regular file: it is reported, never opened. */
  readonly notAFile?: string | undefined
}

const entryType = (entry: fs.Dirent<Buffer>) =>
  entry.isSymbolicLink() ? "シンボリックリンクです（リンク先は読みません）"
  : entry.isFIFO() ? "FIFO（名前付きパイプ）です（通常のファイルだけを読みます）"
  : entry.isSocket() ? "ソケットです（通常のファイルだけを読みます）"
  : entry.isBlockDevice() || entry.isCharacterDevice() ? "デバイスです（通常のファイルだけを読みます）"
  : entry.isDirectory() ? "フォルダです（ファイルだけを読みます）"
  : undefined

const listInbox = (inbox: string) =>
  Effect.try({
    try: () => {
      const entries = fs.readdirSync(inbox, { withFileTypes: true, encoding: "buffer" })
      return entries
        .filter((entry) => entry.name[0] !== 0x2e /* "." hidden */)
        .flatMap((entry): Array<InboxFile> => {
          const { name } = displayFileName(entry.name)
          const kind = kindOfFileName(name)
          const notAFile = entry.isFile() ? undefined : entryType(entry) ?? "通常のファイルではありません"
          // A folder not named like an export (an archive folder, say) is not an input.
          if (entry.isDirectory() && kind === undefined) return []
          return [{ fileName: name, filePath: Buffer.concat([Buffer.from(inbox + path.sep), entry.name]), kind, notAFile }]
        })
        .sort((a, b) =>
          kindRank(a.kind) - kindRank(b.kind) || (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0)
        )
    },
    catch: (cause) => {
      const code = (cause as NodeJS.ErrnoException).code
      const reason = code === "ENOENT" ? "フォルダがありません (no such folder)"
        : code === "ENOTDIR" ? "フォルダではありません (not a folder)"
        : `読めません (${code ?? String(cause)})`
      return new InboxUnreadable({ inbox: escapeControls(inbox), reason })
    }
  })

const kindRank = (kind: ExportKind | undefined) => kind === undefined ? -1 : exportKinds.indexOf(kind)

const fileRejectedFinding = (error: FileRejected): Finding => ({
  code: "INPUT_FILE_REJECTED",
  subjectId: error.fileName,
  relatedId: "",
  detail: error.line === undefined
    ? `ファイル全体を読み込みませんでした: ${error.reason}`
    : `ファイル全体を読み込みませんでした: ${error.line}行目 ${error.reason}`
})

export const IngestLive = Layer.effect(Ingest, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const records = yield* Records
  const copyIn = yield* CopyIn
  const findings = yield* FindingsStore
  const progress = yield* Progress
  const sealer = yield* Sealer

  /**
   * Reads one inbox file ahead: opens and hashes it, then decodes and seals its rows
   * into a spool, telling `ready` as soon as it is hashed (the spool fills on while the
   * file is applied). Never fails: what goes wrong is the file's outcome, told to its
   * applier. The file is closed once it has been read.
   */
  const readAhead = (file: InboxFile, spillFolder: SpillFolder, pool: StagePool, ready: (ahead: Ahead) => Effect.Effect<boolean>) =>
    Effect.gen(function*() {
      if (file.notAFile !== undefined || file.kind === undefined || file.kind === "payout_schedule") {
        return yield* ready({ _tag: "NotRead" })
      }
      const spec = csvExports[file.kind]
      const opened = yield* Effect.either(openExport(file.filePath))
      if (opened._tag === "Left") return yield* ready({ _tag: "Unreadable", reason: `ファイルを読めません: ${opened.left}` })
      const facts = yield* Effect.either(inspectFile(opened.right))
      if (facts._tag === "Left") return yield* ready({ _tag: "Unreadable", reason: `ファイルを読めません: ${facts.left}` })
      const { verdict } = facts.right
      if (facts.right.size === 0 || verdict._tag === "Rejected") {
        return yield* ready({ _tag: "Inspected", facts: facts.right, staged: undefined })
      }
      const staged: StagedAhead = { spool: new Spool(spillFolder, spoolMemoryBytes), counts: { lines: 0, blank: 0 } }
      yield* ready({ _tag: "Inspected", facts: facts.right, staged })
      // On a worker thread when the file is big enough, else here: the same text either way.
      const source = pool.stagedLines({ fileName: file.fileName, fd: opened.right.handle.fd, encoding: verdict.encoding, kind: file.kind }, facts.right.size, staged.counts) ??
        stagedLines(file.fileName, decodedText(opened.right, verdict.encoding), spec, records.stageLines(spec.table), staged.counts)
      // Interrupted (the run failed): the spool is closed, which stops the filling.
      yield* Effect.promise((signal) => {
        signal.addEventListener("abort", () => staged.spool.close())
        return fillSpool(staged.spool, staged.counts, source)
      })
    }).pipe(Effect.scoped)

  /**
   * Streams one CSV file, decoded ahead, into its staging table with COPY, then stores it
   * set-based (Records). Fails with FileRejected; returns counts.
   */
  const applyCsv = (runId: number, file: InboxFile, spec: AnyCsvExport, sha256: string, staged: StagedAhead) =>
    Effect.gen(function*() {
      yield* sql`
        INSERT INTO input_files (sha256, kind, file_name, applied_run, rows_applied, rows_rejected)
        VALUES (${sha256}, ${spec.kind}, ${file.fileName}, ${runId}, 0, 0)`
      const stage = yield* records.stage(spec.table)
      const runtime = yield* Effect.runtime<never>()
      let reported = 0
      const onLines = (lines: number) => {
        if (lines - reported < progressEveryLines) return
        reported = lines
        Runtime.runSync(runtime)(progress.advance(file.fileName, lines))
      }
      yield* copyIn.copy(stage.copyStatement, staged.spool.read(onLines)).pipe(
        Effect.catchTag("CopySourceFailed", ({ cause }) =>
          cause instanceof FileRejected ? Effect.fail(cause)
          // Not the file's fault: the run fails, and changes nothing.
          : cause instanceof SpillFailed || cause instanceof StageWorkerFailed ? Effect.die(cause)
          : Effect.fail(readFailure(file.fileName, cause)))
      )
      // An order item must belong to a stored order (inputs.md).
      if (spec.kind === "order_items") yield* records.setAsideItemsWithoutOrder(stage)
      const { applied, rejected } = yield* records.storeStage(spec.table, stage, sha256, runId)
      yield* progress.finish
      yield* sql`UPDATE input_files SET rows_applied = ${applied}, rows_rejected = ${rejected} WHERE sha256 = ${sha256}`
      return { applied, rejected, blank: staged.counts.blank }
    })

  const applyFile = (runId: number, file: InboxFile, ahead: Ahead, seenThisRun: Set<string>) =>
    Effect.gen(function*() {
      const base = { fileName: file.fileName, kind: file.kind }
      const reject = (reason: string, line?: number) => new FileRejected({ fileName: file.fileName, line, reason })
      if (file.notAFile !== undefined) return yield* reject(file.notAFile)
      if (file.kind === undefined) {
        return yield* reject("ファイル名から種類が分かりません（orders_*.csv などの名前にしてください）")
      }
      if (ahead._tag === "Unreadable") return yield* reject(ahead.reason)
      // The schedule is not read ahead: it is opened here, and read when applied.
      let opened: OpenExport | undefined
      let facts: FileFacts
      if (ahead._tag === "Inspected") {
        facts = ahead.facts
      } else {
        opened = yield* openExport(file.filePath).pipe(Effect.mapError((reason) => reject(`ファイルを読めません: ${reason}`)))
        facts = yield* inspectFile(opened).pipe(Effect.mapError((reason) => reject(`ファイルを読めません: ${reason}`)))
      }
      if (facts.size === 0) return yield* reject("ファイルが空です")
      const already = yield* sql<{ rows_rejected: number }>`
        SELECT rows_rejected FROM input_files WHERE sha256 = ${facts.sha256}`
      if (already.length > 0 || seenThisRun.has(facts.sha256)) {
        seenThisRun.add(facts.sha256)
        return {
          ...base,
          sha256: facts.sha256,
          outcome: "already_applied",
          rowsApplied: 0,
          rowsRejected: already[0]?.rows_rejected ?? 0,
          rowsBlank: 0
        } satisfies FileOutcome
      }
      // Decided for the whole file before any row is read.
      if (facts.verdict._tag === "Rejected") return yield* reject(facts.verdict.reason, facts.verdict.line)
      const encoding = facts.verdict.encoding
      const counts = file.kind === "payout_schedule"
        ? yield* applySchedule(sql, runId, file.fileName, opened!, encoding, facts.sha256)
        : ahead._tag === "Inspected" && ahead.staged !== undefined
        ? yield* applyCsv(runId, file, csvExports[file.kind], facts.sha256, ahead.staged)
        : yield* Effect.dieMessage(`ingest: ${file.kind} was not read ahead`)
      // Only a file that was applied: a second copy of a rejected one is rejected too.
      seenThisRun.add(facts.sha256)
      return {
        ...base,
        sha256: facts.sha256,
        outcome: "applied",
        rowsApplied: counts.applied,
        rowsRejected: counts.rejected,
        rowsBlank: counts.blank
      } satisfies FileOutcome
    }).pipe(
      // The file is closed before its savepoint ends.
      Effect.scoped,
      // The savepoint: a rejected file leaves nothing behind.
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.catchTag("FileRejected", (error) =>
        findings.add([fileRejectedFinding(error)]).pipe(
          Effect.as({
            fileName: file.fileName,
            kind: file.kind,
            sha256: undefined,
            outcome: "rejected",
            rowsApplied: 0,
            rowsRejected: 0,
            rowsBlank: 0
          } satisfies FileOutcome)
        )
      ),
      Effect.withSpan("Ingest.applyFile")
    )

  const ingestInbox = Effect.fn("Ingest.ingestInbox")(function*(inbox: string, runId: number) {
    const files = yield* listInbox(inbox)
    const seenThisRun = new Set<string>()
    const outcomes: Array<FileOutcome> = []
    // The reader ahead: files in order, each told to its applier as soon as it is hashed,
    // at most `filesAhead` past the one being applied. Ended with this scope.
    const spillFolder = yield* Effect.acquireRelease(Effect.sync(() => makeSpillFolder()), (folder) => Effect.sync(() => folder.remove()))
    // Declared after the spill folder, so ended before it (a worker's file is then closed).
    const settings = yield* StageWorkers
    const pool = yield* Effect.acquireRelease(Effect.sync(() => makeStagePool(sealer, settings)), (pool) => Effect.promise(() => pool.close()))
    const aheads = yield* Effect.forEach(files, () => Deferred.make<Ahead>())
    const slots = yield* Effect.makeSemaphore(filesAhead + 1)
    yield* Effect.forEach(files, (file, i) =>
      slots.take(1).pipe(
        Effect.zipRight(readAhead(file, spillFolder, pool, (ahead) => Deferred.succeed(aheads[i]!, ahead))),
        // A defect of the reader reaches the file's applier (when it was not told yet) and so the run.
        Effect.catchAllCause((cause) => Deferred.failCause(aheads[i]!, cause))
      ), { discard: true }).pipe(Effect.forkScoped)
    for (const [i, file] of files.entries()) {
      const ahead = yield* Deferred.await(aheads[i]!)
      const outcome = yield* applyFile(runId, file, ahead, seenThisRun).pipe(
        Effect.ensuring(Effect.zipRight(Effect.sync(() => ahead._tag === "Inspected" && ahead.staged?.spool.close()), slots.release(1)))
      )
      yield* Effect.logInfo("input file").pipe(
        Effect.annotateLogs({ file: outcome.fileName, outcome: outcome.outcome, rows: outcome.rowsApplied, rejected: outcome.rowsRejected, blank: outcome.rowsBlank })
      )
      outcomes.push(outcome)
    }
    // Rows set aside from files of this inbox, whenever they were applied.
    const hashes = outcomes.flatMap((o) => (o.sha256 === undefined ? [] : [o.sha256]))
    if (hashes.length > 0) {
      yield* sql`
        INSERT INTO current_findings (code, subject_id, related_id, detail)
        SELECT 'INPUT_ROW_REJECTED', f.file_name, r.line::text, r.line || '行目を読み込みませんでした: ' || r.reason
        FROM input_row_rejections r JOIN input_files f USING (sha256)
        WHERE r.sha256 IN ${sql.in(hashes)}`.pipe(Effect.orDie)
    }
    return {
      files: outcomes,
      anyRejected: outcomes.some((o) => o.outcome === "rejected" || o.rowsRejected > 0)
    } satisfies IngestSummary
  }, Effect.scoped)

  return { ingestInbox }
}))
