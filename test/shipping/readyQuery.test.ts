// 再発送リスト's rows come from a set-based query over a working table of the listed
// findings (ANALYZEd, so that its plan does not rest on guesses): hash joins, each table
// read once. The lateral form it replaced (test/support/readyReference.ts), kept as the
// reference, looked up each order's parcels, items, address and business days row by
// row. On seeded random records and findings (a related parcel of another order or of
// none, two ready findings for one order, closed, handled and overdue findings, orders
// without items or address) both give the same rows, in the same order, for every run,
// as-of day and the overdue-only cut (the sheet past the cap).
import { SqlClient } from "@effect/sql"
import { Effect } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { refreshCalendar } from "../../src/Store/Calendar.ts"
import { readyToReshipStatement } from "../../src/Store/ShippingQueries.ts"
import { lateralReadyReference } from "../support/readyReference.ts"
import { insertRandomShipping, seededRandom } from "../support/randomShipping.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

type Row = Record<string, unknown>
// Ties of the sort (two ready findings of one order on one day) may come in either order:
// the sequence of sort keys must match, and the rows as a set.
const sortKey = (r: Row) => [r.resolved_on === null, r.last_received_on, r.seller_id, r.order_id].join("|")
const canonical = (r: Row) =>
  JSON.stringify(Object.keys(r).sort().map((k) => [k, r[k] instanceof Uint8Array ? Buffer.from(r[k] as Uint8Array).toString("hex") : r[k]]))

describe("再発送リスト's query", () => {
  let url: string
  const newRows = (runId: number, asOf: string, overdueOnly: boolean) =>
    Effect.runPromise(
      // In a transaction, as the run writes its workbooks: the query may set up a working table.
      Effect.flatMap(SqlClient.SqlClient, (sql) =>
        sql.withTransaction(Effect.flatMap(readyToReshipStatement(sql, runId, asOf, { overdueOnly }), (statement) => statement))).pipe(
        Effect.provide(databaseLayer(url)),
        Effect.scoped,
        Effect.orDie
      )
    ) as Promise<ReadonlyArray<Row>>

  beforeAll(async () => {
    url = await createTestDatabase()
    await Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, refreshCalendar).pipe(Effect.provide(databaseLayer(url)), Effect.scoped, Effect.orDie))
    const random = seededRandom(4242)
    const orders = 150
    await insertRandomShipping(url, random, orders)
    await query(url, `INSERT INTO runs (as_of) VALUES ('2023-09-20'), ('2023-09-25'), ('2023-09-29')`)
    const lines = await query<{ parcel_id: string; order_ref: string }>(url, `SELECT parcel_id, order_ref FROM parcel_lines ORDER BY parcel_id, order_ref`)
    const orderIds = (await query<{ order_id: string }>(url, `SELECT order_id FROM orders ORDER BY order_id`)).map((o) => o.order_id)
    // Some orders without items: their item columns come out empty.
    const itemless = orderIds.filter(() => random.chance(0.1))
    await query(url, `DELETE FROM order_items WHERE order_id = ANY($1)`, [itemless])
    // Addresses for most orders: opaque bytes are enough, the query hands them on sealed.
    for (const orderId of orderIds.filter(() => random.chance(0.8))) {
      await query(url, `INSERT INTO shipping_addresses (order_id, address_sealed) VALUES ($1, $2)`, [orderId, Buffer.from(`sealed:${orderId}`)])
    }
    const findings: Array<ReadonlyArray<unknown>> = []
    const notes = ["", "<&>\"'", "再確認", null]
    for (const orderId of orderIds) {
      if (!random.chance(0.7)) continue
      const own = lines.filter((l) => l.order_ref === orderId)
      // Mostly a parcel of the order; sometimes one of another order, or none at all.
      const related = own.length > 0 && random.chance(0.85) ? random.pick(own).parcel_id : random.chance(0.5) ? random.pick(lines).parcel_id : "IN-none"
      const relatedIds = own.length > 1 && random.chance(0.15) ? [related, own.find((l) => l.parcel_id !== related)!.parcel_id] : [related]
      for (const relatedId of relatedIds) {
        const handled = random.chance(0.2)
        findings.push(["SHIP_READY", orderId, relatedId, random.int(1, 3), random.chance(0.15) ? "2023-09-28" : null,
          handled ? `2023-09-2${random.int(0, 8)}T${random.pick(["00:30", "15:30", "23:59"])}:00+09:00` : null,
          handled ? "担当A" : null, handled ? random.pick(notes) : null])
      }
      if (random.chance(0.5)) findings.push(["SHIP_NOT_RESHIPPED", orderId, related, 1, random.chance(0.2) ? "2023-09-28" : null, null, null, null])
    }
    for (const f of findings) {
      await query(url, `
        INSERT INTO findings (code, subject_id, related_id, severity, side, detail, first_run, first_seen, last_run, closed_on, resolved_at, resolved_by, resolution_note)
        VALUES ($1, $2, $3, 'info', 'shipping', '', $4, '2023-09-20', 3, $5, $6, $7, $8) ON CONFLICT DO NOTHING`, f)
    }
  })

  it("gives the lateral form's rows, in its order, for every run, as-of day and overdue cut", async () => {
    let compared = 0
    for (const runId of [1, 3]) {
      for (const asOf of ["2023-09-05", "2023-09-29", "2023-10-10"]) {
        for (const overdueOnly of [false, true]) {
          const reference = await query<Row>(url, lateralReadyReference(runId, asOf, overdueOnly))
          const rows = await newRows(runId, asOf, overdueOnly)
          expect(rows.map(sortKey)).toEqual(reference.map(sortKey))
          expect(rows.map(canonical).sort()).toEqual(reference.map(canonical).sort())
          compared += reference.length
        }
      }
    }
    // The data has the shapes the comparison is about.
    const all = await query<Row>(url, lateralReadyReference(3, "2023-09-29", false))
    expect(all.some((r) => r.overdue === true) && all.some((r) => r.overdue === false)).toBe(true)
    expect(all.some((r) => r.status === "対応済") && all.some((r) => r.status === "新規") && all.some((r) => r.status === "継続")).toBe(true)
    expect(all.some((r) => r.has_address === false) && all.some((r) => r.items === "")).toBe(true)
    expect(new Set(all.map((r) => r.order_id)).size).toBeLessThan(all.length)
    expect(compared).toBeGreaterThan(300)
  })
})
