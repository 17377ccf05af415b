// One reconciliation run: everything it changes happens in one transaction, and the
// workbooks are moved into place only after that transaction commits. A run that fails
// leaves the database and the published reports exactly as they were.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import type { InboxUnreadable, ReportWriteFailed } from "../Domain/Errors.ts"
import { Ingest, type IngestSummary } from "../Ingest/Ingest.ts"
import { PayoutMatch } from "../Match/Payouts.ts"
import { ShippingMatch } from "../Match/Shipping.ts"
import { Reports, type StagedReports } from "../Report/Reports.ts"
import { refreshCalendar } from "../Store/Calendar.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import { RunLog } from "../Store/RunLog.ts"

export interface RunOptions {
  readonly inbox: string
  readonly outDir: string
  readonly asOf: string
}

export interface RunResult {
  readonly runId: number
  readonly asOf: string
  readonly ingest: IngestSummary
  readonly reports: ReadonlyArray<string>
  readonly countsByCode: ReadonlyMap<string, number>
  /** 0: every input read; 2: some input was rejected (reports.md). */
  readonly exitCode: 0 | 2
}

export class Run extends Context.Tag("keshikomi/Run")<Run, {
  readonly run: (options: RunOptions) => Effect.Effect<RunResult, InboxUnreadable | ReportWriteFailed>
}>() {}

export const RunLive = Layer.effect(Run, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ingest = yield* Ingest
  const findings = yield* FindingsStore
  const reports = yield* Reports
  const runLog = yield* RunLog
  const shipping = yield* ShippingMatch
  const payouts = yield* PayoutMatch

  const run = Effect.fn("Run.run")(function*(options: RunOptions) {
    // Workbooks written during the transaction; removed if it does not commit.
    let stagedReports: StagedReports | undefined
    const staged = yield* Effect.gen(function*() {
      const runId = yield* runLog.start(options.asOf)
      yield* findings.begin
      yield* refreshCalendar(sql)
      const ingested = yield* ingest.ingestInbox(options.inbox, runId)
      yield* shipping.raise(options.asOf)
      yield* payouts.raise(options.asOf)
      yield* findings.merge(runId, options.asOf)
      const countsByCode = yield* findings.countsByCode(runId)
      const exitCode = ingested.anyRejected ? 2 : 0
      const staged = yield* reports.stage({ runId, asOf: options.asOf, ingest: ingested }, options.outDir)
      stagedReports = staged
      yield* runLog.finish(runId, exitCode === 0 ? "succeeded" : "succeeded_with_rejections", exitCode)
      return { runId, ingested, countsByCode, exitCode, staged } as const
    }).pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.onExit((exit) => (exit._tag === "Failure" && stagedReports !== undefined ? stagedReports.discard : Effect.void))
    )
    const published = yield* staged.staged.publish
    return {
      runId: staged.runId,
      asOf: options.asOf,
      ingest: staged.ingested,
      reports: published,
      countsByCode: staged.countsByCode,
      exitCode: staged.exitCode
    } satisfies RunResult
  })

  return { run }
}))
