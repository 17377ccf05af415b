// One reconciliation run: everything it changes happens in one transaction, and the
// workbooks are moved into place only after that transaction commits. A run that fails
// leaves the database and the published reports exactly as they were.
import { SqlClient } from "@effect/sql"
import { Cause, Context, Data, Effect, Layer, Option } from "effect"
import { logElapsed } from "../Log.ts"
import type { InboxUnreadable, ReportWriteFailed, RunInProgress } from "../Domain/Errors.ts"
import { Ingest, type IngestSummary } from "../Ingest/Ingest.ts"
import { incrementalSummary, NightScope, type MatchMode } from "../Match/NightScope.ts"
import { PayoutMatch } from "../Match/Payouts.ts"
import { ShippingMatch } from "../Match/Shipping.ts"
import { type SellerListCounts, Reports, type StagedReports } from "../Report/Reports.ts"
import { refreshBankMaster } from "../Store/BankMaster.ts"
import { refreshCalendar } from "../Store/Calendar.ts"
import { FindingsStore } from "../Store/FindingsStore.ts"
import { Retention, type RetentionOutcome } from "../Store/Retention.ts"
import { RunLog } from "../Store/RunLog.ts"
import { analyzeChangedTables } from "../Store/Statistics.ts"
import * as fs from "node:fs"

export interface RunOptions {
  readonly inbox: string
  readonly outDir: string
  readonly asOf: string
  /** Do everything and write the workbooks, but commit nothing. */
  readonly dryRun?: boolean
  /** Match everything stored, not only what this night changed (docs/nightly.md). */
  readonly full?: boolean
}

export interface RunResult {
  readonly runId: number
  readonly asOf: string
  readonly ingest: IngestSummary
  readonly reports: ReadonlyArray<string>
  /** The folder the workbooks went to (OUT/<as_of>/, or …/dry-run/ for a trial). */
  readonly directory: string
  readonly sellerFiles: number
  /** Of those, written tonight (new or changed: to send) and carried unchanged. */
  readonly sellerLists: SellerListCounts
  /** How many sellers' rows the seller lists were made from: all, or on a night those whose list can have changed. */
  readonly sellersRead: number | "all"
  readonly dryRun: boolean
  /** How the run matched: in full, or only the order refs the night touched. */
  readonly mode: MatchMode
  readonly countsByCode: ReadonlyMap<string, number>
  /** What retention removed (docs/privacy.md); report folders only once committed. */
  readonly retention: RetentionOutcome
  /** 0: every input read; 2: some input was rejected (reports.md). */
  readonly exitCode: 0 | 2
}

/** Ends a dry run's transaction (rolling it back) while keeping what it found. */
class DryRunDone extends Data.TaggedError("DryRunDone")<{ readonly result: RunResult }> {}

/** Runs one step of the run and logs how long it took (for the nightly log). */
const step = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) => logElapsed("step finished", { step: name }, effect)

export class Run extends Context.Tag("keshikomi/Run")<Run, {
  readonly run: (options: RunOptions) => Effect.Effect<RunResult, InboxUnreadable | ReportWriteFailed | RunInProgress>
}>() {}

export const RunLive = Layer.effect(Run, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const ingest = yield* Ingest
  const findings = yield* FindingsStore
  const reports = yield* Reports
  const runLog = yield* RunLog
  const shipping = yield* ShippingMatch
  const payouts = yield* PayoutMatch
  const retention = yield* Retention
  const nightScope = yield* NightScope

  const run = Effect.fn("Run.run")(function*(options: RunOptions) {
    // Workbooks written during the transaction; removed if it does not commit.
    let stagedReports: StagedReports | undefined
    const transaction = Effect.gen(function*() {
      yield* runLog.lock
      // Holding the lock: no other run is writing partial files now.
      const leftovers = yield* reports.removeLeftovers(options.outDir)
      if (leftovers > 0) yield* Effect.logInfo("removed partial files left by a run that died").pipe(Effect.annotateLogs("files", leftovers))
      const runId = yield* runLog.start(options.asOf)
      yield* findings.begin
      yield* step("calendar", refreshCalendar(sql))
      yield* step("bank master", refreshBankMaster(sql))
      const ingested = yield* step("ingest", ingest.ingestInbox(options.inbox, runId))
      // What ingest loaded, analysed inside the transaction, so the matching's plans see it.
      const analysed = yield* step("statistics", analyzeChangedTables(sql))
      if (analysed.length > 0) yield* Effect.logDebug("analysed the tables ingest changed").pipe(Effect.annotateLogs("tables", analysed))
      const mode = yield* step("match scope", nightScope.decide(runId, options.asOf, { full: options.full === true }))
      const scopes = mode._tag === "incremental" ? { shipping: mode.scope, payouts: mode.payoutScope } : undefined
      yield* (mode._tag === "full"
        ? Effect.logInfo(`全件を照合します（${mode.reason}）`)
        : Effect.logInfo(`差分を照合します（${incrementalSummary(mode)}）`)).pipe(
        Effect.annotateLogs({ mode: mode._tag })
      )
      yield* step("shipping matching", shipping.raise(options.asOf, scopes?.shipping))
      yield* step("payout matching", payouts.raise(options.asOf, scopes?.payouts))
      yield* step("findings merge", findings.merge(runId, options.asOf, scopes))
      // What matching and the merge wrote (a first load's findings), for the reports' plans.
      const merged = yield* step("merge statistics", analyzeChangedTables(sql))
      if (merged.length > 0) yield* Effect.logDebug("analysed the tables matching and the merge changed").pipe(Effect.annotateLogs("tables", merged))
      yield* nightScope.record(runId, options.asOf)
      const retained = yield* step("retention", retention.apply(options.asOf, options.outDir))
      const countsByCode = yield* findings.countsByCode
      const countsBySide = {
        shipping: yield* findings.countsForSide("shipping"),
        payout: yield* findings.countsForSide("payout")
      }
      const exitCode: 0 | 2 = ingested.anyRejected ? 2 : 0
      stagedReports = yield* step(
        "workbooks",
        reports.stage(
          {
            runId, asOf: options.asOf, ingest: ingested, countsByCode, countsBySide, retention: retained, dryRun: options.dryRun === true,
            ...(scopes === undefined ? {} : { nightScope: scopes.shipping })
          },
          options.outDir
        )
      )
      yield* runLog.finish(runId, exitCode === 0 ? "succeeded" : "succeeded_with_rejections", exitCode, {
        counts: countsByCode,
        files: ingested.files
      })
      // A folder removed under the run fails it here, before anything is committed.
      yield* stagedReports.check
      const result = {
        runId, asOf: options.asOf, ingest: ingested, reports: [], countsByCode, retention: retained, exitCode, mode,
        directory: stagedReports.directory, sellerFiles: stagedReports.sellerFiles, sellerLists: stagedReports.sellerLists, sellersRead: stagedReports.sellersRead, dryRun: options.dryRun === true
      }
      // A dry run leaves by failing, which rolls the transaction back.
      if (options.dryRun === true) return yield* Effect.fail(new DryRunDone({ result }))
      return result
    })
    const committed = yield* transaction.pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", Effect.die),
      Effect.catchTag("DryRunDone", (done) => Effect.succeed(done.result)),
      Effect.onExit((exit) =>
        exit._tag === "Success"
          ? Effect.void
          : Effect.andThen(
            stagedReports?.discard ?? Effect.void,
            // RunInProgress: the other run's history is its own; record nothing.
            Cause.failureOption(exit.cause).pipe(Option.exists((e) => e._tag === "RunInProgress"))
              ? Effect.void
              : (Cause.isInterruptedOnly(exit.cause)
                ? runLog.recordFailure(options.asOf, "interrupted", 130)
                : runLog.recordFailure(options.asOf, "failed", 1))
          )
      )
    )
    const published = yield* stagedReports!.publish
    // Old report folders go once the run that counted them has committed.
    if (options.dryRun !== true) {
      for (const folder of committed.retention.reportFolders) {
        yield* Effect.try(() => fs.rmSync(folder, { recursive: true, force: true })).pipe(
          Effect.catchAll(() => Effect.logWarning("could not remove an old report folder").pipe(Effect.annotateLogs("path", folder)))
        )
      }
    }
    return { ...committed, reports: published } satisfies RunResult
  })

  return { run }
}))
