// Writes the two workbooks of a run beside their final place (AtomicFile: owner-only,
// unpredictable partial names), so that a failed run publishes nothing and a reader never
// opens half a file.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import ExcelJS from "exceljs"
import * as path from "node:path"
import { ReportWriteFailed } from "../Domain/Errors.ts"
import type { IngestSummary } from "../Ingest/Ingest.ts"
import { Sealer } from "../Seal/Sealer.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import type { RetentionOutcome } from "../Store/Retention.ts"
import { payoutQueries } from "../Store/PayoutQueries.ts"
import { makeShippingQueries } from "../Store/ShippingQueries.ts"
import { ensureDirectory, type FileAccess, removeLeftoverPartials, reportAccess, stageFile, type StagedFile } from "./AtomicFile.ts"
import { writeFinanceWorkbook } from "./FinanceWorkbook.ts"
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
}

export interface StagedReports {
  readonly directory: string
  /** Fails when a written file is gone (its folder was removed): run it just before committing. */
  readonly check: Effect.Effect<void, ReportWriteFailed>
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
  readonly side: "shipping" | "finance"
  readonly asOf: string
  readonly runId: number
}

export const workbookStamp = (stamp: WorkbookStamp) => `keshikomi ${stamp.side} as_of=${stamp.asOf} run=${stamp.runId}`

export const readWorkbookStamp = (keywords: string | undefined): WorkbookStamp | undefined => {
  const m = /^keshikomi (shipping|finance) as_of=(\d{4}-\d{2}-\d{2}) run=(\d+)$/.exec(keywords ?? "")
  return m === null ? undefined : { side: m[1] as WorkbookStamp["side"], asOf: m[2]!, runId: Number(m[3]) }
}

const failWith = (target: string) => (cause: unknown) =>
  new ReportWriteFailed({ path: target, reason: cause instanceof Error ? cause.message : String(cause) })

export const ReportsLive = Layer.effect(Reports, Effect.gen(function*() {
  const findings = yield* FindingsStore
  const sql = yield* SqlClient.SqlClient
  const sealer = yield* Sealer
  const shippingQueries = makeShippingQueries(sql, sealer)
  const payouts = payoutQueries(sql, sealer)

  const writeOne = (
    side: "shipping" | "finance",
    facts: RunFacts,
    target: string,
    access: FileAccess,
    build: (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => Effect.Effect<void>
  ) =>
    stageFile(target, access, (stream) =>
      Effect.gen(function*() {
        const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false })
        workbook.creator = "keshikomi"
        // Read back by `resolve --from-workbook` to refuse a workbook of another day.
        workbook.keywords = workbookStamp({ side, asOf: facts.asOf, runId: facts.runId })
        yield* build(workbook)
        yield* Effect.tryPromise({ try: () => workbook.commit(), catch: failWith(target) })
      }))

  const stage = (facts: RunFacts, outDir: string) => {
    const directory = path.join(outDir, facts.asOf)
    const files: Array<StagedFile> = []
    const discard = Effect.forEach(files, (file) => file.discard, { discard: true })
    return Effect.gen(function*() {
      const access = yield* reportAccess
      yield* ensureDirectory(directory, access)
      files.push(yield* writeOne("shipping", facts, path.join(directory, "shipping.xlsx"), access, (wb) => writeShippingWorkbook(wb, facts, findings, shippingQueries)))
      files.push(yield* writeOne("finance", facts, path.join(directory, "finance.xlsx"), access, (wb) => writeFinanceWorkbook(wb, facts, findings, payouts)))
      return {
        directory,
        check: Effect.forEach(files, (file) => file.check, { discard: true }),
        publish: Effect.forEach(files, (file) => file.publish),
        discard
      } satisfies StagedReports
    }).pipe(Effect.onError(() => discard), Effect.withSpan("Reports.stage"))
  }

  return { stage, removeLeftovers: removeLeftoverPartials }
}))
