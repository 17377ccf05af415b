// Probe: how long a scoped shipping raise takes for one order ref, as the intake desk
// asks for it, on an existing database (one transaction per raise, rolled back).
//
//   KESHIKOMI_DATA_DIR=<dir of a database a run filled> npx tsx bench/scope-probe.ts [--times 200]
//
// Prints the median and p95 over random stored order refs (and a few unknown ones).
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { ShippingMatch, ShippingMatchLive } from "../src/Match/Shipping.ts"
import { DatabaseLive } from "../src/Store/Database.ts"
import { FindingsStore, FindingsStoreLive } from "../src/Store/FindingsStore.ts"

const timesArg = process.argv.findIndex((a) => a === "--times")
const times = timesArg >= 0 ? Number(process.argv[timesArg + 1]) : 200

class Rollback extends Error {}

const probe = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const shipping = yield* ShippingMatch
  const findings = yield* FindingsStore
  const refs = (yield* sql<{ order_ref: string }>`
    SELECT order_ref FROM (SELECT DISTINCT order_ref FROM parcel_lines) r ORDER BY md5(order_ref) LIMIT ${times}`).map((r) => r.order_ref)
  const elapsed: Array<number> = []
  for (const ref of refs) {
    const started = performance.now()
    yield* Effect.gen(function*() {
      yield* findings.begin
      yield* sql`CREATE TEMP TABLE desk_scope (order_ref text NOT NULL) ON COMMIT DROP`
      yield* sql`INSERT INTO desk_scope VALUES (${ref})`
      yield* shipping.raise("2023-09-06", { orderRefs: "desk_scope" })
      yield* sql`SELECT code, subject_id, related_id, detail FROM current_findings`
      return yield* Effect.die(new Rollback())
    }).pipe(sql.withTransaction, Effect.catchAllDefect(() => Effect.void))
    elapsed.push(performance.now() - started)
  }
  elapsed.sort((a, b) => a - b)
  const at = (q: number) => elapsed[Math.min(elapsed.length - 1, Math.floor(q * elapsed.length))]!.toFixed(1)
  const [orders] = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM orders`
  console.log(`${elapsed.length} scoped raises of one order ref on ${orders!.n} orders: median ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`)
})

await Effect.runPromise(
  probe.pipe(Effect.provide(Layer.mergeAll(ShippingMatchLive, FindingsStoreLive).pipe(Layer.provideMerge(DatabaseLive))), Effect.scoped, Effect.orDie)
)
