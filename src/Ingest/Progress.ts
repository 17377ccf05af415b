// Progress of long steps, for a person watching a terminal: counts and rows per second
// on one line of stderr, at most once a second. Off when stderr is not a terminal (the
// nightly job's log has the per-file summary lines instead). Counts only, never data.
import { Context, Effect, Layer } from "effect"

export class Progress extends Context.Tag("keshikomi/Progress")<Progress, {
  /** `done` rows of `label` so far. */
  readonly advance: (label: string, done: number) => Effect.Effect<void>
  readonly finish: Effect.Effect<void>
}>() {}

export const ProgressSilent = Layer.succeed(Progress, { advance: () => Effect.void, finish: Effect.void })

const terminal = (stream: NodeJS.WriteStream) => {
  let startedAt = 0
  let lastLabel = ""
  let lastPrint = 0
  let shown = false
  return Progress.of({
    advance: (label, done) =>
      Effect.sync(() => {
        const now = Date.now()
        if (label !== lastLabel) {
          lastLabel = label
          startedAt = now
        }
        if (now - lastPrint < 1_000) return
        lastPrint = now
        const rate = Math.round(done / Math.max(0.001, (now - startedAt) / 1000))
        stream.write(`\r\x1b[2K${label}: ${done.toLocaleString("en")} rows (${rate.toLocaleString("en")} rows/s)`)
        shown = true
      }),
    finish: Effect.sync(() => {
      if (shown) stream.write("\r\x1b[2K")
      shown = false
    })
  })
}

/** On a terminal, progress lines on stderr; elsewhere nothing. */
export const ProgressLive = Layer.sync(Progress, () =>
  process.stderr.isTTY ? terminal(process.stderr) : { advance: () => Effect.void, finish: Effect.void }
)
