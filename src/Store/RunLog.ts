// The history of runs: one row per run. A run's own row is written inside its
// transaction; a run that fails or is interrupted is recorded afterwards on its own,
// so the history shows it while its data changes are gone.
import { SqlClient } from "@effect/sql"
import { Context, Duration, Effect, Layer } from "effect"
import { RunInProgress } from "../Domain/Errors.ts"

export interface RunHistoryRow {
  readonly run_id: string
  readonly as_of: string
  readonly started_at: string
  readonly finished_at: string | null
  readonly outcome: string
  readonly exit_code: number | null
  readonly counts: Record<string, number> | null
  readonly files: ReadonlyArray<{ readonly fileName: string; readonly sha256?: string; readonly outcome: string }> | null
}

// One advisory-lock key for all keshikomi runs on a database (any number, fixed forever).
const runLockKey = 4_242_001

export class RunLog extends Context.Tag("keshikomi/RunLog")<RunLog, {
  /** Takes the run lock for the current transaction, or fails at once if another run holds it. */
  readonly lock: Effect.Effect<void, RunInProgress>
  readonly start: (asOf: string) => Effect.Effect<number>
  readonly finish: (
    runId: number,
    outcome: string,
    exitCode: number,
    details: { readonly counts: ReadonlyMap<string, number>; readonly files: ReadonlyArray<unknown> }
  ) => Effect.Effect<void>
  /** Records a run that did not complete (its own changes were rolled back). */
  readonly recordFailure: (asOf: string, outcome: string, exitCode: number) => Effect.Effect<void>
  readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<RunHistoryRow>>
  /** The last run that completed (its findings are the current ones). */
  readonly latestCompleted: Effect.Effect<{ readonly runId: number; readonly asOf: string } | undefined>
}>() {}

export const RunLogLive = Layer.effect(RunLog, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  return {
    lock: sql<{ locked: boolean }>`SELECT pg_try_advisory_xact_lock(${runLockKey}) AS locked`.pipe(
      Effect.orDie,
      Effect.flatMap((rows) => (rows[0]?.locked === true ? Effect.void : Effect.fail(new RunInProgress())))
    ),
    start: (asOf) =>
      sql<{ run_id: string }>`INSERT INTO runs (as_of) VALUES (${asOf}::date) RETURNING run_id`.pipe(
        Effect.map((rows) => Number(rows[0]!.run_id)),
        Effect.orDie
      ),
    finish: (runId, outcome, exitCode, details) =>
      sql`
        UPDATE runs SET finished_at = clock_timestamp(), outcome = ${outcome}, exit_code = ${exitCode},
               counts = ${JSON.stringify(Object.fromEntries(details.counts))}::jsonb,
               files = ${JSON.stringify(details.files)}::jsonb
        WHERE run_id = ${runId}`.pipe(Effect.asVoid, Effect.orDie),
    recordFailure: (asOf, outcome, exitCode) =>
      sql`
        INSERT INTO runs (as_of, finished_at, outcome, exit_code)
        VALUES (${asOf}::date, clock_timestamp(), ${outcome}, ${exitCode})`.pipe(
        Effect.asVoid,
        Effect.timeout(Duration.seconds(5)),
        Effect.tapErrorCause((cause) => Effect.logWarning("could not record the failed run", cause)),
        Effect.ignore,
        Effect.uninterruptible
      ),
    recent: (limit) =>
      sql<RunHistoryRow>`
        SELECT run_id::text, to_char(as_of, 'YYYY-MM-DD') AS as_of,
               to_char(started_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') AS started_at,
               to_char(finished_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') AS finished_at,
               outcome, exit_code, counts, files
        FROM runs ORDER BY run_id DESC LIMIT ${limit}`.pipe(Effect.orDie),
    latestCompleted: sql<{ run_id: string; as_of: string }>`
        SELECT run_id::text, to_char(as_of, 'YYYY-MM-DD') AS as_of FROM runs
        WHERE outcome LIKE 'succeeded%' ORDER BY run_id DESC LIMIT 1`.pipe(
      Effect.map((rows) => (rows[0] === undefined ? undefined : { runId: Number(rows[0].run_id), asOf: rows[0].as_of })),
      Effect.orDie
    )
  }
}))
