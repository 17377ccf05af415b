// Findings of the current run are collected in a temporary table (inside the run's
// transaction), then merged into `findings`, which keeps each finding's identity and
// first-seen date from run to run.
import { SqlClient, type Statement } from "@effect/sql"
import { Context, Effect, Layer, Stream } from "effect"
import { allFindingCodes, findingCodes, type Finding, type FindingCode, type Severity, type Side } from "../Domain/Finding.ts"
import { kindOfFileName, readerSideOfKind } from "../Domain/Kind.ts"
import type { PayoutScope } from "../Domain/PayoutScope.ts"
import type { ShippingScope } from "../Domain/ShippingScope.ts"
import { analysedRows, tableIsEmpty, withIndexesBuiltAfter } from "./BulkLoad.ts"

/** What an incremental night reconciled (docs/nightly.md): the shipping order refs and the payouts. */
export interface NightScopes {
  readonly shipping: ShippingScope
  /** Closed (src/Match/payouts/scope.ts): the requests and transfers the payout raise reconciled. */
  readonly payouts: PayoutScope
}

/**
 * 状態 of a finding in run `runId`, as every sheet shows it: 対応済 once staff resolved
 * it, 新規 when this run raised it first, else 継続. `alias` names the findings row.
 */
export const findingStatus = (sql: SqlClient.SqlClient, runId: number, alias = "findings") => sql`
  CASE WHEN ${sql(alias)}.resolved_at IS NOT NULL THEN '対応済'
       WHEN ${sql(alias)}.first_run = ${runId} THEN '新規' ELSE '継続' END`

/** Who handled a finding, on which day (Japan), and the note: three columns for the sheets. */
export const findingDecision = (sql: SqlClient.SqlClient, alias = "findings") => sql`
  ${sql(alias)}.resolved_by, ${sql(alias)}.resolution_note,
  to_char(${sql(alias)}.resolved_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD') AS resolved_on`

/** A finding as the workbooks list it. */
export interface FindingRow {
  readonly code: FindingCode
  readonly severity: Severity
  readonly subject_id: string
  readonly related_id: string
  readonly detail: string
  readonly first_seen: string
  readonly status: "新規" | "継続" | "対応済" | "解消済"
  readonly resolved_by: string | null
  readonly resolution_note: string | null
  /** Japan time, `YYYY-MM-DD HH:MM`. */
  readonly resolved_at: string | null
  readonly resolved_on: string | null
}

export interface RaisedByOptions {
  readonly codes?: ReadonlyArray<FindingCode>
}

export class FindingsStore extends Context.Tag("keshikomi/FindingsStore")<FindingsStore, {
  /** Creates this run's empty collection; call inside the run's transaction. */
  readonly begin: Effect.Effect<void>
  readonly add: (findings: ReadonlyArray<Finding>) => Effect.Effect<void>
  /**
   * Records this run's findings against the stored ones: new, still open, closed. With
   * scopes (an incremental night) only the shipping findings of their order refs and the
   * payout findings of their requests and transfers are closed when not raised again;
   * the others stand, as the full run would raise them.
   */
  readonly merge: (runId: number, asOf: string, scopes?: NightScopes) => Effect.Effect<void>
  /**
   * Counts of the findings open after the latest merge (this run's), by code. The readers
   * below read "open" (`closed_on IS NULL`), not `last_run`: a night rewrites only the
   * findings it raised anew, changed or closed, so `last_run` is the last run that wrote a row.
   */
  readonly countsByCode: Effect.Effect<ReadonlyMap<string, number>>
  /** The same counts as one workbook shows them: its own codes and the input findings it may show. */
  readonly countsForSide: (side: Exclude<Side, "input">) => Effect.Effect<ReadonlyMap<string, number>>
  /** The findings of one side that run `runId` closed: the data no longer raises them (解消済). */
  readonly closedBy: (runId: number, side: Side) => Stream.Stream<FindingRow>
  /**
   * The findings open after run `runId` for one side (input findings always included), errors
   * first; only those of `codes` when given (a capped Findings sheet: src/Report/FindingsSheet.ts).
   */
  readonly raisedBy: (runId: number, side: Side, options?: RaisedByOptions) => Stream.Stream<FindingRow>
  /**
   * raisedBy's query itself, for a caller that lets the server shape each row (the
   * findings CSVs, src/Report/FindingsCsv.ts): its rows are FindingRows, in raisedBy's order.
   */
  readonly raisedByQuery: (runId: number, side: Side) => Statement.Statement<FindingRow>
}>() {}

const chunkSize = 5_000
const shippingCodes = allFindingCodes.filter((code) => findingCodes[code].side === "shipping")
// Every payout code is raised by the payout rules; all but one are about a request (the subject).
const payoutCodes = allFindingCodes.filter((code) => findingCodes[code].side === "payout")
const transferCodes = ["PAY_ORPHAN_TRANSFER"] satisfies ReadonlyArray<FindingCode>
const requestCodes = payoutCodes.filter((code) => !(transferCodes as ReadonlyArray<FindingCode>).includes(code))

export const FindingsStoreLive = Layer.effect(FindingsStore, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const begin = Effect.gen(function*() {
    yield* sql`
      CREATE TEMP TABLE current_findings (
        code       text NOT NULL,
        subject_id text NOT NULL,
        related_id text NOT NULL DEFAULT '',
        detail     text NOT NULL,
        side       text,
        -- The order ref of a shipping finding (src/Match/Shipping.ts).
        scope_ref  text
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

  const merge = (runId: number, asOf: string, scopes?: NightScopes) =>
    Effect.gen(function*() {
      // An input finding belongs to the workbook whose readers may see its file (the
      // subject is the file name); a file of unknown kind stays on both ('input').
      const inputCodes = allFindingCodes.filter((code) => findingCodes[code].side === "input")
      const files = yield* sql<{ subject_id: string }>`
        SELECT DISTINCT subject_id FROM current_findings WHERE code IN ${sql.in(inputCodes)}`
      const sided = files.flatMap((f) => {
        const side = readerSideOfKind(kindOfFileName(f.subject_id))
        return side === "both" ? [] : [sql`(${f.subject_id}, ${side})`]
      })
      if (sided.length > 0) {
        yield* sql`
          UPDATE current_findings c SET side = v.side
          FROM (VALUES ${sql.csv(sided)}) AS v (subject_id, side)
          WHERE c.subject_id = v.subject_id AND c.code IN ${sql.in(inputCodes)}`
      }
      // Statistics for the anti-joins below (a temporary table has none of its own).
      yield* sql`ANALYZE current_findings`
      const raised = yield* analysedRows(sql, "current_findings")
      const wasEmpty = yield* tableIsEmpty(sql, "findings")
      // One row per identity: a rule that raised the same fact twice is one finding. A
      // finding raised again unchanged and still open is left alone: rewriting it would only
      // add a heap tuple and index entries (on a quiet night, nearly every open finding).
      const upsert = sql`
        INSERT INTO findings (code, subject_id, related_id, severity, side, detail, scope_ref, first_run, first_seen, last_run)
        SELECT DISTINCT ON (c.code, c.subject_id, c.related_id)
               c.code, c.subject_id, c.related_id, k.severity, coalesce(c.side, k.side), c.detail, c.scope_ref, ${runId}, ${asOf}::date, ${runId}
        FROM current_findings c JOIN finding_codes k USING (code)
        ORDER BY c.code, c.subject_id, c.related_id, c.detail
        ON CONFLICT (code, subject_id, related_id) DO UPDATE
          SET detail = EXCLUDED.detail, side = EXCLUDED.side, scope_ref = EXCLUDED.scope_ref, last_run = EXCLUDED.last_run, closed_on = NULL,
              -- A finding that had closed and comes back is a new problem: the old decision no longer holds.
              resolved_at = CASE WHEN findings.closed_on IS NULL THEN findings.resolved_at END,
              resolved_by = CASE WHEN findings.closed_on IS NULL THEN findings.resolved_by END,
              resolution_note = CASE WHEN findings.closed_on IS NULL THEN findings.resolution_note END
          WHERE findings.closed_on IS NOT NULL
             OR findings.detail IS DISTINCT FROM EXCLUDED.detail
             OR findings.side IS DISTINCT FROM EXCLUDED.side
             OR findings.scope_ref IS DISTINCT FROM EXCLUDED.scope_ref`
      yield* wasEmpty ? withIndexesBuiltAfter(sql, "findings", raised, upsert) : upsert
      // Open findings this run did not raise again close; on a night, only those its scope
      // covers (the shipping findings of its order refs, the payout findings of its
      // requests and transfers, and the input findings).
      const notRaised = sql`NOT EXISTS (
        SELECT 1 FROM current_findings c
        WHERE c.code = findings.code AND c.subject_id = findings.subject_id AND c.related_id = findings.related_id)`
      // A table that was empty before this merge had nothing open to close.
      if (wasEmpty) return
      if (scopes === undefined) {
        yield* sql`
          UPDATE findings SET closed_on = ${asOf}::date, closed_run = ${runId}
          WHERE closed_on IS NULL AND ${notRaised}`
        return
      }
      // The input codes by name, so the key's index finds their few rows (NOT IN the other
      // sides' codes read every open finding). A code no rule raises any more cannot be
      // open here: a change of the rules matches in full (matchRulesVersion).
      yield* sql`
        UPDATE findings SET closed_on = ${asOf}::date, closed_run = ${runId}
        WHERE closed_on IS NULL AND code IN ${sql.in(inputCodes)} AND ${notRaised}`
      yield* sql`
        UPDATE findings SET closed_on = ${asOf}::date, closed_run = ${runId}
        WHERE closed_on IS NULL AND code IN ${sql.in(shippingCodes)}
          AND scope_ref IN (SELECT order_ref FROM ${sql(scopes.shipping.orderRefs)}) AND ${notRaised}`
      // A payout finding by its subject: the request, or the transfer id of an orphan.
      yield* sql`
        UPDATE findings SET closed_on = ${asOf}::date, closed_run = ${runId}
        WHERE closed_on IS NULL AND code IN ${sql.in(requestCodes)}
          AND subject_id IN (SELECT request_id FROM ${sql(scopes.payouts.requests)}) AND ${notRaised}`
      yield* sql`
        UPDATE findings SET closed_on = ${asOf}::date, closed_run = ${runId}
        WHERE closed_on IS NULL AND code IN ${sql.in(transferCodes)}
          AND subject_id IN (SELECT transfer_id FROM ${sql(scopes.payouts.transfers)}) AND ${notRaised}`
    }).pipe(Effect.orDie)

  const countsByCode = sql<{ code: string; n: number }>`
    SELECT code, count(*)::int AS n FROM findings WHERE closed_on IS NULL GROUP BY code`.pipe(
    Effect.map((rows) => new Map(rows.map((r) => [r.code, r.n]))),
    Effect.orDie
  )

  const countsForSide = (side: Exclude<Side, "input">) => sql<{ code: string; n: number }>`
    SELECT code, count(*)::int AS n FROM findings WHERE closed_on IS NULL AND side IN (${side}, 'input') GROUP BY code`.pipe(
    Effect.map((rows) => new Map(rows.map((r) => [r.code, r.n]))),
    Effect.orDie
  )

  // One side's findings (and the input findings its readers may see), errors first, as the sheets list them.
  const listedQuery = (status: Statement.Fragment, where: Statement.Fragment, side: Side) =>
    sql<FindingRow>`
      SELECT code, severity, subject_id, related_id, detail,
             to_char(first_seen, 'YYYY-MM-DD') AS first_seen, ${status} AS status,
             ${findingDecision(sql)},
             to_char(resolved_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI') AS resolved_at
      FROM findings
      WHERE ${where} AND side IN (${side}, 'input')
      ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, code, subject_id, related_id`
  const listed = (status: Statement.Fragment, where: Statement.Fragment, side: Side) =>
    listedQuery(status, where, side).stream.pipe(Stream.orDie)

  const raisedByQuery = (runId: number, side: Side, options?: RaisedByOptions) =>
    listedQuery(
      findingStatus(sql, runId),
      sql`closed_on IS NULL ${options?.codes === undefined ? sql`` : sql`AND code IN ${sql.in(options.codes)}`}`,
      side
    )
  const raisedBy = (runId: number, side: Side, options?: RaisedByOptions) =>
    raisedByQuery(runId, side, options).stream.pipe(Stream.orDie)

  const closedBy = (runId: number, side: Side) => listed(sql`'解消済'`, sql`closed_run = ${runId}`, side)

  return { begin, add, merge, countsByCode, countsForSide, raisedBy, raisedByQuery: (runId: number, side: Side) => raisedByQuery(runId, side), closedBy }
}))
