// Payout reconciliation (findings.md, Payouts): raised by set-based SQL over the
// stored records into the run's current_findings. The steps live in ./payouts/:
// snapshot (requests and transfers in one channel-blind shape, due dates rolled to
// bank business days), assignment (which request each transfer belongs to, kept in
// payout_assignments with each request's totals in payout_request_state for the
// workbook), rules (one INSERT per code). A scope narrows all of them to the closure of
// what it names (./payouts/scope.ts, docs/nightly.md).
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, LogLevel } from "effect"
import { logElapsed } from "../Log.ts"
import type { PayoutScope } from "../Domain/PayoutScope.ts"
import { assignTransfers, summariseRequests } from "./payouts/assignment.ts"
import { raiseFindings } from "./payouts/rules.ts"
import { closeScope } from "./payouts/scope.ts"
import { takeSnapshot } from "./payouts/snapshot.ts"

export class PayoutMatch extends Context.Tag("keshikomi/PayoutMatch")<PayoutMatch, {
  /**
   * Matches every stored transfer to the stored requests and raises the PAY_ findings as
   * of `asOf`; with a scope, first widens it to its closure and then matches and raises
   * exactly the closure's requests and transfers (the scope's tables then name them).
   */
  readonly raise: (asOf: string, scope?: PayoutScope) => Effect.Effect<void>
}>() {}

export const PayoutMatchLive = Layer.effect(PayoutMatch, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  // Each part's seconds at debug level: which of them a slow night spends its time in.
  const part = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>, of?: (value: A) => Record<string, unknown>) =>
    logElapsed("payout part finished", { part: name }, effect, { level: LogLevel.Debug, ...(of === undefined ? {} : { of }) })
  const raise = Effect.fn("PayoutMatch.raise")(function*(asOf: string, scope?: PayoutScope) {
    if (scope !== undefined) yield* part("closure", closeScope(sql, scope), (size) => ({ ...size }))
    yield* part("snapshot", takeSnapshot(sql, scope))
    yield* part("assignment", assignTransfers(sql, scope))
    yield* part("request totals", summariseRequests(sql, scope))
    yield* part("rules", raiseFindings(sql, asOf))
  }, Effect.orDie)
  return { raise }
}))
