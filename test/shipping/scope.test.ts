// A scoped shipping raise is the full raise narrowed: for any set of order refs it
// raises exactly the full raise's findings of those refs, detail for detail.
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { ShippingMatch, ShippingMatchLive } from "../../src/Match/Shipping.ts"
import { refreshCalendar } from "../../src/Store/Calendar.ts"
import { FindingsStore, FindingsStoreLive } from "../../src/Store/FindingsStore.ts"
import { insertRandomShipping, orderIdOf, seededRandom } from "../support/randomShipping.ts"
import { createTestDatabase, databaseLayer } from "../support/testDatabase.ts"

interface Raised {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
  readonly scope_ref: string | null
  readonly detail: string
}

const raiseLayer = (url: string) =>
  Layer.mergeAll(ShippingMatchLive, FindingsStoreLive).pipe(Layer.provideMerge(databaseLayer(url)))

/** Raises as of `asOf` (over `scope` when given) in a transaction and returns current_findings. */
const raised = (url: string, asOf: string, scope?: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const shipping = yield* ShippingMatch
      const findings = yield* FindingsStore
      return yield* Effect.gen(function*() {
        yield* refreshCalendar(sql)
        yield* findings.begin
        if (scope !== undefined) {
          yield* sql`CREATE TEMP TABLE test_scope (order_ref text NOT NULL) ON COMMIT DROP`
          if (scope.length > 0) yield* sql`INSERT INTO test_scope ${sql.insert(scope.map((order_ref) => ({ order_ref })))}`
        }
        yield* shipping.raise(asOf, scope === undefined ? undefined : { orderRefs: "test_scope" })
        return yield* sql<Raised>`
          SELECT code, subject_id, related_id, scope_ref, detail FROM current_findings
          ORDER BY code, subject_id, related_id, detail`
      }).pipe(sql.withTransaction)
    }).pipe(Effect.provide(raiseLayer(url)), Effect.scoped, Effect.orDie)
  )

describe("the scoped shipping raise", () => {
  let url: string
  let refs: ReadonlyArray<string>
  let full: ReadonlyArray<Raised>
  const asOf = "2023-09-29"

  beforeAll(async () => {
    url = await createTestDatabase()
    await raised(url, asOf) // migrates the new database
    refs = await insertRandomShipping(url, seededRandom(12), 80)
    full = await raised(url, asOf)
  })

  it("raises every shipping rule on the random data, each finding with its order ref", () => {
    const codes = new Set(full.map((f) => f.code))
    for (const code of ["SHIP_UNKNOWN_ORDER", "SHIP_DUPLICATE_SCAN", "SHIP_COUNT_SHORT", "SHIP_RESHIPPED", "SHIP_RESHIP_DUPLICATE", "SHIP_AWAITING_PARCEL", "SHIP_ORDER_CANCELLED", "SHIP_SELLER_MISMATCH"]) {
      expect(codes).toContain(code)
    }
    // The order ref, as the rules define it: the subject order, the order of a scan, or
    // the normalised id of an unknown parcel line.
    for (const f of full) {
      const expected = f.code === "SHIP_UNKNOWN_ORDER"
        ? f.related_id.toUpperCase()
        : ["SHIP_DUPLICATE_SCAN", "SHIP_SELLER_MISMATCH"].includes(f.code) ? f.related_id : f.subject_id
      expect(f.scope_ref, `${f.code} ${f.subject_id}`).toBe(expected)
    }
  })

  it("over a random set of order refs raises exactly the full raise's findings of those refs", async () => {
    const random = seededRandom(7)
    const scopes: Array<ReadonlyArray<string>> = [
      [],
      [refs[0]!],
      [orderIdOf(99_999_999)],
      ...Array.from({ length: 6 }, () => refs.filter(() => random.chance(0.2))),
      // A shared reshipment tracking number cut in half by the scope still raises whole findings.
      refs.filter((_, i) => i % 2 === 0)
    ]
    for (const scope of scopes) {
      const inScope = new Set(scope)
      expect(await raised(url, asOf, scope), `scope ${scope.join(",")}`).toEqual(full.filter((f) => inScope.has(f.scope_ref!)))
    }
  })

  it("over one order ref raises that order's findings alone", async () => {
    const random = seededRandom(3)
    for (let i = 0; i < 5; i++) {
      const ref = random.pick(refs)
      expect(await raised(url, asOf, [ref])).toEqual(full.filter((f) => f.scope_ref === ref))
    }
  })
})
