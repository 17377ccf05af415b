// The logger: times in Japan time with their offset (2023-09-05T02:30:00.123+09:00),
// as `status` shows them. Readable lines on a terminal, JSON lines otherwise (for the
// nightly job's journal). Messages are Japanese; annotations carry ids, files, counts.
import { Cause, Duration, Effect, HashMap, List, Logger, LogLevel } from "effect"

const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** An instant as Japan time with its offset. */
export const japanTimestamp = (date: Date) => {
  const t = new Date(date.getTime() + 9 * 3600_000)
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}T${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}.${pad(t.getUTCMilliseconds(), 3)}+09:00`
}

const annotationsOf = (annotations: HashMap.HashMap<string, unknown>) => Object.fromEntries(HashMap.toEntries(annotations))

const messageOf = (message: unknown) => {
  const parts = Array.isArray(message) ? message : [message]
  return parts.map((part) => (typeof part === "string" ? part : JSON.stringify(part))).join(" ")
}

const causeOf = (cause: Cause.Cause<unknown>) => (Cause.isEmpty(cause) ? undefined : Cause.pretty(cause, { renderErrorCause: false }).split("\n")[0])

export const jsonLogger = Logger.make(({ annotations, cause, date, logLevel, message, spans }) => {
  const line: Record<string, unknown> = {
    timestamp: japanTimestamp(date),
    level: logLevel.label,
    message: messageOf(message),
    ...annotationsOf(annotations)
  }
  const reason = causeOf(cause)
  if (reason !== undefined) line.cause = reason
  if (!List.isNil(spans)) line.span = List.unsafeHead(spans).label
  process.stdout.write(JSON.stringify(line) + "\n")
})

export const lineLogger = Logger.make(({ annotations, cause, date, logLevel, message }) => {
  const fields = Object.entries(annotationsOf(annotations)).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
  const reason = causeOf(cause)
  process.stdout.write([japanTimestamp(date), logLevel.label, messageOf(message), ...fields, ...(reason === undefined ? [] : [reason])].join(" ") + "\n")
})

/**
 * A duration as the log gives it: seconds to the millisecond. Nanosecond decimals say
 * nothing a reader can use, and a 9-digit run of them can hold an inbox's 7-digit account
 * number by chance (the privacy test scans the log for every one and failed so once).
 */
export const loggedSeconds = (elapsed: Duration.Duration) => Math.round(Duration.toMillis(elapsed)) / 1000

/**
 * Runs `effect` and logs `message` with its seconds and `annotations` (plus what `of`
 * reads from its result): the run's steps, each report file and each payout part are
 * timed this one way, and the nightly log and the bench read them by these messages.
 */
export const logElapsed = <A, E, R>(
  message: string,
  annotations: Record<string, unknown>,
  effect: Effect.Effect<A, E, R>,
  options?: { readonly level?: LogLevel.LogLevel; readonly of?: (value: A) => Record<string, unknown> }
) =>
  Effect.timed(effect).pipe(
    Effect.tap(([elapsed, value]) =>
      Effect.logWithLevel(options?.level ?? LogLevel.Info, message).pipe(
        Effect.annotateLogs({ ...annotations, seconds: loggedSeconds(elapsed), ...options?.of?.(value) })
      )),
    Effect.map(([, value]) => value)
  )
