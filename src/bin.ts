// Process entry: runs the command line, prints one clear line for an expected failure
// or a bad command line, and exits with the status docs/reports.md promises (0, 2, 3,
// or 1 for a failed run or a bad command line).
import { HelpDoc, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, Logger, LogLevel, Option } from "effect"
import { cli, exitCodes, processState, version } from "./Cli.ts"
import { commandHelp, renderHelp } from "./CliHelp.ts"
import { jsonLogger, lineLogger } from "./Log.ts"
import { describeLostDatabase } from "./Store/Database.ts"

// Colour codes only for a person at a terminal.
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "")
const oneLine = (text: string) => stripAnsi(text).replace(/\s+/g, " ").trim()

/** @effect/cli's messages, in the words of the rest of the command line. */
export const describeValidation = (error: ValidationError.ValidationError): string => {
  const text = oneLine(HelpDoc.toAnsiText(error.error))
  const unknown = /^Received unknown argument: '(.*)'$/.exec(text)
  if (unknown !== null) return `知らない引数です: ${unknown[1]}`
  const missing = /Expected to find option: '(.*?)'/.exec(text)
  if (missing !== null) return `${missing[1]} を指定してください`
  const integer = /'(.*?)' is not a integer/.exec(text)
  if (integer !== null) return `整数を指定してください（「${integer[1]}」は整数ではありません）`
  if (error._tag === "CommandMismatch" || error._tag === "MissingSubcommand") {
    return `知らないコマンドです。使えるコマンド: ${Object.keys(commandHelp).filter((c) => c !== "keshikomi").join("・")}`
  }
  // Our own option checks already speak Japanese.
  if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(text)) return text
  return `コマンドラインが正しくありません: ${text}`
}

const describeFailure = (cause: Cause.Cause<unknown>): string => {
  // A database that went away half way (server killed, connection cut) is named as such.
  const lost = describeLostDatabase(cause)
  if (lost !== undefined) return lost
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) {
    const error = failure.value as { readonly _tag?: string; readonly message?: string }
    if (ValidationError.isValidationError(error)) return `${describeValidation(error)}（${helpHint} で使い方を表示）`
    return error.message ?? String(error)
  }
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    const error = defect.value
    return `内部エラー: ${oneLine(error instanceof Error ? error.message : String(error))}`
  }
  return "中断されました"
}

// A reader that stops early (`| head`) is not an error of the run.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error
})

// Readable lines on a terminal, JSON lines for the nightly job's log collector; both in Japan time.
const logger = process.stdout.isTTY ? lineLogger : jsonLogger

const args = process.argv.slice(2)
const firstWord = args.find((a) => !a.startsWith("-"))
const wantsHelp = args.includes("--help") || args.includes("-h")
const helpHint = firstWord !== undefined && commandHelp[firstWord] !== undefined ? `keshikomi ${firstWord} --help` : "keshikomi --help"

// The library prints a validation error's whole help page on stderr before failing;
// the entry point prints one line instead. Its other output loses colour off a terminal.
const quietConsole = (base: Console.Console): Console.Console => ({
  ...base,
  error: () => Effect.void,
  log: (...parts) =>
    Effect.sync(() => {
      const text = parts.map(String).join(" ")
      process.stdout.write((process.stdout.isTTY ? text : stripAnsi(text)) + "\n")
    })
})

const printHelp = (name: string) =>
  Effect.sync(() => {
    process.stdout.write(renderHelp(name, version)!)
  })

const program = (() => {
  if (args.length === 0) {
    return Effect.sync(() => {
      process.stderr.write("keshikomi: コマンドを指定してください（keshikomi --help で使い方を表示）\n")
      processState.exitCode = exitCodes.failed
    })
  }
  // Our own help for the commands it knows; any other falls through to the library.
  if (wantsHelp && (firstWord === undefined || commandHelp[firstWord] !== undefined)) {
    return printHelp(firstWord ?? "keshikomi")
  }
  return Console.consoleWith((base) => cli(process.argv).pipe(Console.withConsole(quietConsole(base))))
})()

const main = program.pipe(
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Effect.sync(() => process.stderr.write(`keshikomi: ${describeFailure(cause)}\n`))
  ),
  Effect.provide(NodeContext.layer),
  Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
  Logger.withMinimumLogLevel(LogLevel.Info)
)

NodeRuntime.runMain(main, {
  disableErrorReporting: true,
  // The logger is chosen above (lines on a terminal, JSON otherwise), not by runMain.
  disablePrettyLogger: true,
  teardown: (exit, onExit) => {
    if (Exit.isSuccess(exit)) onExit(processState.exitCode)
    // SIGTERM/Ctrl-C between runs is a clean stop; during a run, the run was rolled back.
    else if (Cause.isInterruptedOnly(exit.cause)) onExit(processState.runInProgress ? 130 : exitCodes.ok)
    else onExit(exitCodes.failed)
  }
})
