// The command line (reports.md): `keshikomi run`, and the exit status it promises.
import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { isPlainDate, todayInJapan } from "./Domain/BusinessDay.ts"
import { AppLive } from "./App.ts"
import { Run } from "./Run/Run.ts"

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

/** The process exit status a command asks for; set by the handlers. */
export let requestedExitCode = 0

const runCommand = Command.make("run", { inbox, outDir, asOf }, (options) =>
  Effect.gen(function*() {
    const runner = yield* Run
    const result = yield* runner.run({
      inbox: options.inbox,
      outDir: options.outDir,
      asOf: Option.getOrElse(options.asOf, () => todayInJapan(new Date()))
    })
    for (const report of result.reports) yield* Effect.logInfo("report written").pipe(Effect.annotateLogs("path", report))
    yield* Effect.logInfo("run finished").pipe(
      Effect.annotateLogs({ runId: result.runId, asOf: result.asOf, exitCode: result.exitCode })
    )
    requestedExitCode = result.exitCode
  }).pipe(Effect.provide(AppLive))
).pipe(Command.withDescription("ingest the inbox, reconcile, and write the workbooks"))

export const command = Command.make("keshikomi").pipe(
  Command.withDescription("消込: match parcels to orders and payouts to transfers"),
  Command.withSubcommands([runCommand])
)

export const cli = Command.run(command, { name: "keshikomi", version: "0.1.0" })
