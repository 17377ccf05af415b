// The command line (reports.md). Exit status: 0 done and every input read; 2 done but
// some input rejected; 1 failed, nothing changed; 3 another run holds the database.
import { Command, Options, Args } from "@effect/cli"
import { Clock, Cron, Data, Duration, Effect, Either, Exit, Option } from "effect"
import { isPlainDate, todayInJapan } from "./Domain/BusinessDay.ts"
import { AppLive, DecisionsAppLive, ZenginAppLive } from "./App.ts"
import { Run } from "./Run/Run.ts"
import { applyWorkbookDecisions } from "./Run/WorkbookDecisions.ts"
import { Zengin } from "./Run/Zengin.ts"
import { Decisions } from "./Store/Decisions.ts"
import { RunLog } from "./Store/RunLog.ts"

/** What the process should exit with, and whether a run is under way (for signals). */
export const processState = { exitCode: 0, runInProgress: false }

export const exitCodes = { ok: 0, failed: 1, inputRejected: 2, runInProgress: 3 } as const

const inbox = Options.directory("inbox").pipe(
  Options.withDescription("folder of exports (inputs.md)"),
  Options.withDefault("inbox")
)
const outDir = Options.text("out").pipe(
  Options.withDescription("where reports go: OUT/<as_of>/shipping.xlsx and finance.xlsx"),
  Options.withDefault("reports")
)
const asOf = Options.text("as-of").pipe(
  Options.withDescription("the run's date, Japan time (YYYY-MM-DD); default today in Japan"),
  Options.filterMap((text) => (isPlainDate(text) ? Option.some(text) : Option.none()), "--as-of must be a date YYYY-MM-DD"),
  Options.optional
)
const dryRun = Options.boolean("dry-run").pipe(
  Options.withDescription("do everything and write the workbooks, but commit nothing to the database")
)

/** One run, with its outcome logged and turned into the exit status. */
const runOnce = (options: { inbox: string; outDir: string; asOf: string; dryRun: boolean }) =>
  Effect.gen(function*() {
    const runner = yield* Run
    processState.runInProgress = true
    // An interrupted run leaves the flag set: the process then exits non-zero.
    const result = yield* runner.run(options).pipe(
      Effect.onExit((exit) =>
        Exit.isInterrupted(exit) ? Effect.void : Effect.sync(() => (processState.runInProgress = false))
      )
    )
    for (const report of result.reports) yield* Effect.logInfo("report written").pipe(Effect.annotateLogs("path", report))
    yield* Effect.logInfo(options.dryRun ? "dry run finished; nothing committed" : "run finished").pipe(
      Effect.annotateLogs({ runId: result.runId, asOf: result.asOf, exitCode: result.exitCode })
    )
    return result.exitCode
  }).pipe(Effect.provide(AppLive))

const runCommand = Command.make("run", { inbox, outDir, asOf, dryRun }, (options) =>
  runOnce({
    inbox: options.inbox,
    outDir: options.outDir,
    asOf: Option.getOrElse(options.asOf, () => todayInJapan(new Date())),
    dryRun: options.dryRun
  }).pipe(
    Effect.tap((code) => Effect.sync(() => (processState.exitCode = code))),
    Effect.catchTag("RunInProgress", (error) =>
      Effect.sync(() => {
        process.stderr.write(`keshikomi: ${error.message}\n`)
        processState.exitCode = exitCodes.runInProgress
      }))
  )).pipe(Command.withDescription("ingest the inbox, reconcile, and write the workbooks"))

const cron = Options.text("cron").pipe(
  Options.withDescription("when to run, Japan time (cron: minute hour day month weekday)"),
  Options.withDefault("30 2 * * *"),
  Options.filterMap(
    (text) => Either.getRight(Cron.parse(text, "Asia/Tokyo")),
    "--cron must be a cron expression such as \"30 2 * * *\""
  )
)

/**
 * The worker: sleeps until each cron tick, then runs with that day's as-of date. A
 * failed night is logged and the worker waits for the next tick.
 */
export const scheduleLoop = <E, R>(
  schedule: Cron.Cron,
  runAt: (asOf: string) => Effect.Effect<unknown, E, R>
) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const next = Cron.next(schedule, new Date(now))
    yield* Effect.logInfo("next run scheduled").pipe(Effect.annotateLogs("at", next.toISOString()))
    yield* Effect.sleep(Duration.millis(Math.max(0, next.getTime() - now)))
    yield* runAt(todayInJapan(next)).pipe(
      Effect.catchAllCause((cause) => Effect.logError("scheduled run failed", cause))
    )
  }).pipe(Effect.forever)

const scheduleCommand = Command.make("schedule", { cron, inbox, outDir }, (options) =>
  scheduleLoop(options.cron, (asOfDate) =>
    runOnce({ inbox: options.inbox, outDir: options.outDir, asOf: asOfDate, dryRun: false }))
).pipe(Command.withDescription("run every night on a cron schedule (Japan time) until stopped"))

const statusCommand = Command.make("status", {
  limit: Options.integer("last").pipe(Options.withDefault(10), Options.withDescription("how many runs to show"))
}, ({ limit }) =>
  Effect.gen(function*() {
    const runLog = yield* RunLog
    const runs = yield* runLog.recent(limit)
    const lines = runs.map((r) => {
      const counts = r.counts === null ? "" : Object.entries(r.counts).sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, n]) => `${code}=${n}`).join(" ")
      const files = r.files === null ? "" : `files=${r.files.filter((f) => f.outcome === "applied").length}/${r.files.length}`
      return [`#${r.run_id}`, `as_of=${r.as_of}`, `started=${r.started_at}`, `finished=${r.finished_at ?? "-"}`, `outcome=${r.outcome}`, `exit=${r.exit_code ?? "-"}`, files, counts]
        .filter((part) => part !== "")
        .join("  ")
    })
    yield* Effect.sync(() => process.stdout.write((lines.length === 0 ? "no runs yet" : lines.join("\n")) + "\n"))
  }).pipe(Effect.provide(DecisionsAppLive))).pipe(Command.withDescription("print the last runs"))

const resolveCommand = Command.make("resolve", {
  code: Args.text({ name: "CODE" }).pipe(Args.optional),
  subjectId: Args.text({ name: "SUBJECT_ID" }).pipe(Args.optional),
  note: Options.text("note").pipe(Options.optional, Options.withDescription("what was done (kept in the audit trail)")),
  by: Options.text("by").pipe(Options.withDefault(process.env.USER ?? "staff"), Options.withDescription("who decided")),
  related: Options.text("related").pipe(Options.optional, Options.withDescription("the related id, when several findings share code and subject")),
  fromWorkbook: Options.file("from-workbook").pipe(
    Options.optional,
    Options.withDescription("apply the 対応状況 / メモ marked in a workbook's 要対応 sheet")
  )
}, (options) =>
  Effect.gen(function*() {
    const say = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))
    const refuse = (text: string) =>
      Effect.sync(() => {
        process.stderr.write(`keshikomi: refused: ${text}\n`)
        processState.exitCode = exitCodes.failed
      })
    if (Option.isSome(options.fromWorkbook)) {
      const report = yield* applyWorkbookDecisions(options.fromWorkbook.value, options.by)
      for (const line of report.applied) yield* say(`applied: ${line}`)
      for (const line of report.refused) yield* say(`refused: ${line}`)
      yield* say(`${report.applied.length} applied, ${report.refused.length} refused`)
      if (report.refused.length > 0) processState.exitCode = exitCodes.failed
      return
    }
    if (Option.isNone(options.code) || Option.isNone(options.subjectId) || Option.isNone(options.note)) {
      return yield* refuse("usage: keshikomi resolve CODE SUBJECT_ID --note TEXT [--by NAME]  |  keshikomi resolve --from-workbook FILE")
    }
    const decisions = yield* Decisions
    const outcome = yield* decisions.resolve({
      code: options.code.value,
      subjectId: options.subjectId.value,
      relatedId: Option.getOrUndefined(options.related),
      by: options.by,
      note: options.note.value,
      source: "command"
    })
    if (outcome._tag === "Applied") yield* say(`resolved ${outcome.findings} finding(s): ${options.code.value} ${options.subjectId.value}`)
    else yield* refuse(outcome.reason)
  }).pipe(Effect.provide(DecisionsAppLive))).pipe(Command.withDescription("mark findings handled (対応済), by command or from a workbook"))

const dateOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(description),
    Options.filterMap((text) => (isPlainDate(text) ? Option.some(text) : Option.none()), `--${name} must be a date YYYY-MM-DD`),
    Options.optional
  )

class ZenginUsage extends Data.TaggedError("ZenginUsage")<{ readonly reason: string }> {}

const refuseLine = (reason: string) =>
  Effect.sync(() => {
    process.stderr.write(`keshikomi: refused: ${reason}\n`)
    processState.exitCode = exitCodes.failed
  })

const zenginCommand = Command.make("zengin", {
  transferDate: dateOption("transfer-date", "振込指定日, a bank business day (YYYY-MM-DD)"),
  dueBy: dateOption("due-by", "pay the requests due on or before this date; default the transfer date"),
  asOf,
  outDir: Options.text("out").pipe(
    Options.withDescription("where the file goes: OUT/<as_of>/zengin_<YYYYMMDD>.txt and .xlsx"),
    Options.withDefault("reports")
  ),
  requester: Options.file("requester").pipe(
    Options.withDescription("the requester file (JSON: 依頼人コード, 依頼人名, paying account)"),
    Options.withDefault("zengin-requester.json")
  ),
  dryRun: Options.boolean("dry-run").pipe(
    Options.withDescription("write only the approver workbook (…_dry-run.xlsx); no transfer file, nothing remembered")
  ),
  voidFile: Options.file("void").pipe(
    Options.optional,
    Options.withDescription("release a transfer file that was never uploaded (its requests may go into a new file)")
  ),
  note: Options.text("note").pipe(Options.optional, Options.withDescription("why the file is voided (kept in the audit trail)")),
  by: Options.text("by").pipe(Options.withDefault(process.env.USER ?? "staff"), Options.withDescription("who writes or voids"))
}, (options) =>
  Effect.gen(function*() {
    const zengin = yield* Zengin
    const say = (text: string) => Effect.sync(() => process.stdout.write(`${text}\n`))
    if (Option.isSome(options.voidFile)) {
      if (Option.isNone(options.note)) return yield* Effect.fail(new ZenginUsage({ reason: "usage: keshikomi zengin --void FILE --note TEXT [--by NAME]" }))
      const voided = yield* zengin.voidFile({ file: options.voidFile.value, by: options.by, note: options.note.value })
      return yield* say(`voided ${voided.fileName}: its ${voided.requests} request(s) may go into a new file`)
    }
    if (Option.isNone(options.transferDate)) {
      return yield* Effect.fail(new ZenginUsage({ reason: "usage: keshikomi zengin --transfer-date YYYY-MM-DD [--due-by YYYY-MM-DD] [--as-of …] [--out DIR] [--requester FILE] [--dry-run]  |  keshikomi zengin --void FILE --note TEXT" }))
    }
    const transferDate = options.transferDate.value
    const result = yield* zengin.write({
      transferDate,
      dueBy: Option.getOrElse(options.dueBy, () => transferDate),
      asOf: Option.getOrElse(options.asOf, () => todayInJapan(new Date())),
      outDir: options.outDir,
      requesterFile: options.requester,
      dryRun: options.dryRun,
      by: options.by
    })
    if (result.written.length === 0) return yield* say("no bank request is due and payable: no file written")
    for (const file of result.written) yield* say(`written: ${file}`)
    yield* say(`${result.trailer.count} transfer(s), total ${result.trailer.total.toLocaleString("en-US")} yen${options.dryRun ? " (dry run: nothing remembered)" : ""}`)
  }).pipe(
    Effect.catchTags({
      ZenginRefused: (error) => refuseLine(error.reason),
      ZenginUsage: (error) => refuseLine(error.reason),
      RunInProgress: (error) =>
        Effect.sync(() => {
          process.stderr.write(`keshikomi: ${error.message}\n`)
          processState.exitCode = exitCodes.runInProgress
        })
    }),
    Effect.provide(ZenginAppLive)
  )).pipe(Command.withDescription("write the 全銀 総合振込 file of the bank payouts due, or void one never uploaded"))

export const command = Command.make("keshikomi").pipe(
  Command.withDescription("消込: match parcels to orders and payouts to transfers"),
  Command.withSubcommands([runCommand, scheduleCommand, statusCommand, resolveCommand, zenginCommand])
)

export const cli = Command.run(command, { name: "keshikomi", version: "0.1.0" })
