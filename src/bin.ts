// Process entry: runs the command line, prints one clear line for an expected failure,
// and exits with the status reports.md promises (0, 2, or 1 for a failed run).
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Exit, Logger, LogLevel, Option } from "effect"
import { cli, exitCodes, processState } from "./Cli.ts"
import { describeLostDatabase } from "./Store/Database.ts"

const describeFailure = (cause: Cause.Cause<unknown>): string => {
  // A database that went away half way (server killed, connection cut) is named as such.
  const lost = describeLostDatabase(cause)
  if (lost !== undefined) return lost
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value as { readonly _tag?: string; readonly message?: string }
    if (error._tag === "InboxUnreadable" || error._tag === "DatabaseUnavailable" || error._tag === "ReportWriteFailed") {
      return error.message ?? String(error)
    }
    if (error._tag === "ValidationError") return "invalid command line (see --help)"
    return error.message ?? String(error)
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    const error = defect.value
    return `internal error: ${error instanceof Error ? error.message : String(error)}`
  }
  return "interrupted"
}

// A reader that stops early (`| head`) is not an error of the run.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error
})

// Readable lines on a terminal, JSON lines for the nightly job's log collector.
const logger = process.stdout.isTTY ? Logger.prettyLoggerDefault : Logger.withConsoleLog(Logger.jsonLogger)

const main = cli(process.argv).pipe(
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause) || Cause.failureOption(cause).pipe(Option.exists((e) => (e as { _tag?: string })._tag === "ValidationError"))
      ? Effect.void
      : Effect.sync(() => process.stderr.write(`keshikomi: ${describeFailure(cause)}\n`))
  ),
  Effect.provide(NodeContext.layer),
  Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
  Logger.withMinimumLogLevel(LogLevel.Info)
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  // The logger is chosen above (pretty on a terminal, JSON otherwise), not by runMain.
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) onExit(processState.exitCode)
    // SIGTERM/Ctrl-C between runs is a clean stop; during a run, the run was rolled back.
    else if (Cause.isInterruptedOnly(exit.cause)) onExit(processState.runInProgress ? 130 : exitCodes.ok)
    else onExit(exitCodes.failed)
  }
})
