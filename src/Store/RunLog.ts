// The history of runs: one row per run, written inside the run's transaction so that a
// failed run leaves no trace but its log line.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"

export class RunLog extends Context.Tag("keshikomi/RunLog")<RunLog, {
  readonly start: (asOf: string) => Effect.Effect<number>
  readonly finish: (runId: number, outcome: string, exitCode: number) => Effect.Effect<void>
}>() {}

export const RunLogLive = Layer.effect(RunLog, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return {
    start: (asOf) =>
      sql<{ run_id: string }>`INSERT INTO runs (as_of) VALUES (${asOf}::date) RETURNING run_id`.pipe(
        Effect.map((rows) => Number(rows[0]!.run_id)),
        Effect.orDie
      ),
    finish: (runId, outcome, exitCode) =>
      sql`UPDATE runs SET finished_at = now(), outcome = ${outcome}, exit_code = ${exitCode} WHERE run_id = ${runId}`.pipe(
        Effect.asVoid,
        Effect.orDie
      )
  }
}))
