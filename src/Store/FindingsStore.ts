// Findings of the current run are collected in a temporary table (inside the run's
// transaction), then merged into `findings`, which keeps each finding's identity and
// first-seen date from run to run.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, Stream } from "effect"
import { allFindingCodes, findingCodes, type Finding, type FindingCode, type Severity, type Side } from "../Domain/Finding.ts"

/** A finding as the workbooks list it. */
export interface FindingRow {
  readonly code: FindingCode
  readonly severity: Severity
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
  readonly first_seen: string
  readonly status: "新規" | "継続" | "対応済"
}

export class FindingsStore extends Context.Tag("keshikomi/FindingsStore")<FindingsStore, {
  /** Creates this run's empty collection; call inside the run's transaction. */
  readonly begin: Effect.Effect<void>
  readonly add: (findings: ReadonlyArray<Finding>) => Effect.Effect<void>
  /** Records this run's findings against the stored ones: new, still open, closed. */
  readonly merge: (runId: number, asOf: string) => Effect.Effect<void>
  /** Counts of the findings raised by run `runId`, by code. */
  readonly countsByCode: (runId: number) => Effect.Effect<ReadonlyMap<string, number>>
  /** The findings raised by run `runId` for one side (input findings always included), errors first. */
  readonly raisedBy: (runId: number, side: Side, options?: { readonly codes?: ReadonlyArray<FindingCode> }) => Stream.Stream<FindingRow>
}>() {}

const chunkSize = 5_000

export const FindingsStoreLive = Layer.effect(FindingsStore, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const begin = Effect.gen(function*() {
    yield* sql`
      CREATE TEMP TABLE current_findings (
        code       text NOT NULL,
        subject_id text NOT NULL,
        related_id text NOT NULL DEFAULT '',
        detail     text NOT NULL
      ) ON COMMIT DROP`
    // Severity and side per code, as a table the SQL can join.
    yield* sql`CREATE TEMP TABLE finding_codes (code text PRIMARY KEY, severity text NOT NULL, side text NOT NULL) ON COMMIT DROP`
    yield* sql`INSERT INTO finding_codes ${sql.insert(allFindingCodes.map((code) => ({ code, ...findingCodes[code] })))}`
  }).pipe(Effect.orDie)

  const add = (findings: ReadonlyArray<Finding>) =>
    Effect.gen(function*() {
      for (let start = 0; start < findings.length; start += chunkSize) {
        const rows = findings.slice(start, start + chunkSize).map((f) => ({
          code: f.code,
          subject_id: f.subjectId,
          related_id: f.relatedId,
          detail: f.detail
        }))
        yield* sql`INSERT INTO current_findings ${sql.insert(rows)}`
      }
    }).pipe(Effect.orDie)

  const merge = (runId: number, asOf: string) =>
    Effect.gen(function*() {
      // One row per identity: a rule that raised the same fact twice is one finding.
      yield* sql`
        INSERT INTO findings (code, subject_id, related_id, severity, side, detail, first_run, first_seen, last_run)
        SELECT DISTINCT ON (c.code, c.subject_id, c.related_id)
               c.code, c.subject_id, c.related_id, k.severity, k.side, c.detail, ${runId}, ${asOf}::date, ${runId}
        FROM current_findings c JOIN finding_codes k USING (code)
        ORDER BY c.code, c.subject_id, c.related_id, c.detail
        ON CONFLICT (code, subject_id, related_id) DO UPDATE
          SET detail = EXCLUDED.detail, last_run = EXCLUDED.last_run, closed_on = NULL`
      yield* sql`
        UPDATE findings SET closed_on = ${asOf}::date
        WHERE closed_on IS NULL AND last_run <> ${runId}`
    }).pipe(Effect.orDie)

  const countsByCode = (runId: number) => sql<{ code: string; n: number }>`
    SELECT code, count(*)::int AS n FROM findings WHERE last_run = ${runId} GROUP BY code`.pipe(
    Effect.map((rows) => new Map(rows.map((r) => [r.code, r.n]))),
    Effect.orDie
  )

  const raisedBy = (runId: number, side: Side, options?: { readonly codes?: ReadonlyArray<FindingCode> }) =>
    sql<FindingRow>`
      SELECT code, severity, subject_id, related_id, detail,
             to_char(first_seen, 'YYYY-MM-DD') AS first_seen,
             CASE WHEN first_run = ${runId} THEN '新規' ELSE '継続' END AS status
      FROM findings
      WHERE last_run = ${runId} AND side IN (${side}, 'input')
        ${options?.codes === undefined ? sql`` : sql`AND code IN ${sql.in(options.codes)}`}
      ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, subject_id, related_id`.stream.pipe(
      Stream.orDie
    )

  return { begin, add, merge, countsByCode, raisedBy }
}))
