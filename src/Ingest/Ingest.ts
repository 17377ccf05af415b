// Reads the inbox and applies each export to the database, in kind order then name
// order. Each file is applied inside its own savepoint, so a file that is rejected
// whole leaves nothing behind; rows set aside are kept, with their reasons, as findings.
// A file's rows go to the server as one COPY stream (src/Store/CopyIn.ts): Node decodes
// and seals the next rows while the server stores the last ones.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, Runtime } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { FileRejected, InboxUnreadable } from "../Domain/Errors.ts"
import type { Finding } from "../Domain/Finding.ts"
import { exportKinds, type ExportKind, isMoneyKind, kindOfFileName } from "../Domain/Kind.ts"
import { Progress } from "./Progress.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import { CopyIn } from "../Store/CopyIn.ts"
import { Records, type Stage } from "../Store/Records.ts"
import { escapeControls, displayFileName } from "../Domain/Display.ts"
import { checkedLines, readFailure } from "./Csv.ts"
import { type AnyCsvExport, csvExports, rowDecoder } from "./Exports.ts"
import { applySchedule } from "./Schedule.ts"
import { decodedText, type Encoding, inspectFile, type OpenExport, openExport } from "./TextSource.ts"

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

// COPY text is handed on in pieces of about this many characters: large enough that
// the stream's per-piece work does not count, small enough that memory stays flat.
const copyPieceChars = 1 << 16
// Progress is told at most this often (in lines).
const progressEveryLines = 20_000

/**
 * The lines of a CSV export as COPY text for its stage, decoded in plain loops (no
 * per-row Effect). A line set aside is staged with its reason; in a money file it
 * rejects the whole file instead (thrown as FileRejected, which abandons the COPY).
 */
async function* stagedLines(
  fileName: string,
  texts: AsyncIterable<string>,
  spec: AnyCsvExport,
  stage: Stage,
  report: { readonly onLines: (lines: number) => void; readonly counts: { lines: number; blank: number } }
): AsyncGenerator<Buffer> {
  const decodeRow = rowDecoder(spec)
  const allOrNothing = isMoneyKind(spec.kind)
  const setAside = (line: number, reason: string) => {
    if (allOrNothing) throw new FileRejected({ fileName, line, reason })
    return stage.rejectionLine(line, reason)
  }
  const { counts } = report
  let piece = ""
  let reported = 0
  for await (const lines of checkedLines(texts, spec.columns)) {
    for (const record of lines) {
      counts.lines++
      if (record._tag === "Blank") counts.blank++
      else if (record._tag === "Broken") piece += setAside(record.line, record.reason)
      else {
        const result = decodeRow(record.cells)
        piece += result._tag === "Rejected" ? setAside(record.line, result.reason) : stage.rowLine(record.line, result.row)
      }
    }
    if (piece.length >= copyPieceChars) {
      yield Buffer.from(piece, "utf8")
      piece = ""
    }
    if (counts.lines - reported >= progressEveryLines) {
      reported = counts.lines
      report.onLines(counts.lines)
    }
  }
  if (piece.length > 0) yield Buffer.from(piece, "utf8")
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

  /**
   * Decodes one CSV file and streams it into its staging table with COPY, then stores it
   * set-based (Records). Fails with FileRejected; returns counts.
   */
  const applyCsv = (runId: number, file: InboxFile, opened: OpenExport, spec: AnyCsvExport, sha256: string, encoding: Encoding) =>
    Effect.gen(function*() {
      yield* sql`
        INSERT INTO input_files (sha256, kind, file_name, applied_run, rows_applied, rows_rejected)
        VALUES (${sha256}, ${spec.kind}, ${file.fileName}, ${runId}, 0, 0)`
      const stage = yield* records.stage(spec.table)
      const runtime = yield* Effect.runtime<never>()
      const counts = { lines: 0, blank: 0 }
      const source = stagedLines(file.fileName, decodedText(opened, encoding), spec, stage, {
        onLines: (lines) => Runtime.runSync(runtime)(progress.advance(file.fileName, lines)),
        counts
      })
      yield* copyIn.copy(stage.copyStatement, source).pipe(
        Effect.catchTag("CopySourceFailed", ({ cause }) => Effect.fail(cause instanceof FileRejected ? cause : readFailure(file.fileName, cause)))
      )
      // An order item must belong to a stored order (inputs.md).
      if (spec.kind === "order_items") yield* records.setAsideItemsWithoutOrder(stage)
      const { applied, rejected } = yield* records.storeStage(spec.table, stage, sha256, runId)
      yield* progress.finish
      yield* sql`UPDATE input_files SET rows_applied = ${applied}, rows_rejected = ${rejected} WHERE sha256 = ${sha256}`
      return { applied, rejected, blank: counts.blank }
    })

  const applyFile = (runId: number, file: InboxFile, seenThisRun: Set<string>) =>
    Effect.gen(function*() {
      const base = { fileName: file.fileName, kind: file.kind }
      const reject = (reason: string, line?: number) => new FileRejected({ fileName: file.fileName, line, reason })
      if (file.notAFile !== undefined) return yield* reject(file.notAFile)
      if (file.kind === undefined) {
        return yield* reject("ファイル名から種類が分かりません（orders_*.csv などの名前にしてください）")
      }
      const opened = yield* openExport(file.filePath).pipe(Effect.mapError((reason) => reject(`ファイルを読めません: ${reason}`)))
      const facts = yield* inspectFile(opened).pipe(Effect.mapError((reason) => reject(`ファイルを読めません: ${reason}`)))
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
        ? yield* applySchedule(sql, runId, file.fileName, opened, encoding, facts.sha256)
        : yield* applyCsv(runId, file, opened, csvExports[file.kind], facts.sha256, encoding)
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
    for (const file of files) {
      const outcome = yield* applyFile(runId, file, seenThisRun)
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
  })

  return { ingestInbox }
}))
