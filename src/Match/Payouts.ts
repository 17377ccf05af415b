// Payout reconciliation (findings.md, Payouts): raised by set-based SQL over the
// stored records into the run's current_findings. The steps live in ./payouts/:
// snapshot (requests and transfers in one channel-blind shape, due dates rolled to
// bank business days), assignment (which request each transfer belongs to, kept in
// payout_assignments with each request's totals in payout_request_state for the
// workbook), rules (one INSERT per code).
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import { assignTransfers, summariseRequests } from "./payouts/assignment.ts"
import { raiseFindings } from "./payouts/rules.ts"
import { takeSnapshot } from "./payouts/snapshot.ts"

export class PayoutMatch extends Context.Tag("keshikomi/PayoutMatch")<PayoutMatch, {
  /** Matches every stored transfer to the stored requests and raises the PAY_ findings as of `asOf`. */
  readonly raise: (asOf: string) => Effect.Effect<void>
}>() {}

export const PayoutMatchLive = Layer.effect(PayoutMatch, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const raise = Effect.fn("PayoutMatch.raise")(function*(asOf: string) {
    yield* takeSnapshot(sql)
    yield* assignTransfers(sql)
    yield* summariseRequests(sql)
    yield* raiseFindings(sql, asOf)
  }, Effect.orDie)
  return { raise }
}))
