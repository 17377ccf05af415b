// Staff decisions on findings: `keshikomi resolve` marks an open finding handled. The
// finding keeps its identity, so the decision holds through every later run while the
// finding stands; every decision, applied or refused, is kept as an audit trail.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"

export interface Decision {
  readonly code: string
  readonly subjectId: string
  /** Narrows to one finding when several share code and subject. */
  readonly relatedId?: string | undefined
  readonly by: string
  readonly note: string
  readonly source: "command" | "workbook"
}

export type DecisionOutcome =
  | { readonly _tag: "Applied"; readonly findings: number }
  | { readonly _tag: "Refused"; readonly reason: string }

export class Decisions extends Context.Tag("keshikomi/Decisions")<Decisions, {
  readonly resolve: (decision: Decision) => Effect.Effect<DecisionOutcome>
}>() {}

export const DecisionsLive = Layer.effect(Decisions, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient

  const audit = (decision: Decision, relatedId: string, outcome: string) =>
    sql`
      INSERT INTO finding_decisions (code, subject_id, related_id, decided_by, note, source, outcome)
      VALUES (${decision.code}, ${decision.subjectId}, ${relatedId}, ${decision.by}, ${decision.note},
              ${decision.source}, ${outcome})`

  const resolve = (decision: Decision) =>
    Effect.gen(function*() {
      const related = decision.relatedId
      const updated = yield* sql<{ related_id: string }>`
        UPDATE findings
        SET resolved_at = now(), resolved_by = ${decision.by}, resolution_note = ${decision.note}
        WHERE code = ${decision.code} AND subject_id = ${decision.subjectId}
          AND closed_on IS NULL
          ${related === undefined ? sql`` : sql`AND related_id = ${related}`}
        RETURNING related_id`
      if (updated.length === 0) {
        const reason = "そのコードと対象IDの未解消の指摘はありません"
        yield* audit(decision, related ?? "", `refused: ${reason}`)
        return { _tag: "Refused", reason } satisfies DecisionOutcome
      }
      for (const row of updated) yield* audit(decision, row.related_id, "resolved")
      return { _tag: "Applied", findings: updated.length } satisfies DecisionOutcome
    }).pipe(sql.withTransaction, Effect.orDie, Effect.withSpan("Decisions.resolve"))

  return { resolve }
}))
