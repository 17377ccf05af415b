// Seeded random shipping records, written straight into the record tables: small, but
// with every shape the rules tell apart (unknown and typo'd ids, double scans, shared
// tracking numbers, reshipments before and after intake, every status and method).
import { query } from "./testDatabase.ts"

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[int(0, xs.length - 1)]!
  const chance = (p: number) => next() < p
  return { next, int, pick, chance }
}
export type Random = ReturnType<typeof seededRandom>

export const orderIdOf = (n: number) => `PS-${String(n).padStart(8, "0")}`
const sellers = ["S1", "S2", "S3", "S4"] as const
const circleOf = (seller: string) => `サークル${seller}`
const statuses = ["awaiting_shipment", "awaiting_shipment", "awaiting_shipment", "shipped", "cancelled", "refunded"] as const
const methods = ["pictspace_anonymous", "pictspace_anonymous", "pictspace_anonymous", "yamato_anonymous", "direct"] as const

/** A day of September 2023 at a random Japan time. */
const septemberAt = (random: Random, firstDay = 1, lastDay = 28) =>
  `2023-09-${String(random.int(firstDay, lastDay)).padStart(2, "0")}T${String(random.int(8, 20)).padStart(2, "0")}:${String(random.int(0, 59)).padStart(2, "0")}:00+09:00`

/** An id one digit off a known one (a typo), or one far from every order. */
const unknownRef = (random: Random, orders: number) =>
  random.chance(0.7)
    ? orderIdOf(random.int(1, orders)).slice(0, 10) + String(random.int(0, 9))
    : orderIdOf(90_000_000 + random.int(0, 20))

export interface SqlRows {
  readonly table: string
  readonly rows: ReadonlyArray<Record<string, unknown>>
}

const insertRows = async (url: string, { rows, table }: SqlRows) => {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!)
  const values: Array<unknown> = []
  const tuples = rows.map((row) => `(${columns.map((c) => { values.push(row[c]); return `$${values.length}` }).join(", ")})`)
  await query(url, `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`, values)
}

/** Inserts `orders` random orders with their items, parcel lines and reshipments; returns every order ref used. */
export const insertRandomShipping = async (url: string, random: Random, orders: number): Promise<ReadonlyArray<string>> => {
  const orderRows = Array.from({ length: orders }, (_, i) => {
    const seller = random.pick(sellers)
    return {
      order_id: orderIdOf(i + 1), ordered_at: "2023-08-20T10:00:00+09:00", seller_id: seller, circle_name: circleOf(seller),
      buyer_id: `B${i}`, shipping_method: random.pick(methods), status: random.pick(statuses), total_amount: 1500
    }
  })
  const itemRows = orderRows.flatMap((o) =>
    Array.from({ length: random.int(0, 2) + (random.chance(0.1) ? 0 : 1) }, (_, k) => ({
      order_id: o.order_id, item_id: `I${k}`, item_name: "新刊", quantity: random.int(1, 2), unit_price: 500
    }))
  )
  const refs = new Set(orderRows.map((o) => o.order_id))
  const parcelRows: Array<Record<string, unknown>> = []
  const trackingPool = Array.from({ length: Math.ceil(orders / 2) }, (_, i) => String(100000000000 + i))
  for (let p = 0; p < orders * 1.5; p++) {
    const known = random.chance(0.85)
    const orderRef = known ? orderIdOf(random.int(1, orders)) : unknownRef(random, orders)
    refs.add(orderRef)
    const order = orderRows.find((o) => o.order_id === orderRef)
    const tracking = random.pick(trackingPool)
    const line = {
      parcel_id: `IN-${p}`, order_ref: orderRef, order_ref_typed: random.chance(0.2) ? orderRef.toLowerCase() : orderRef,
      received_at: septemberAt(random), carrier: "日本郵便", tracking_no: tracking,
      seller_id: random.chance(0.1) ? null : (order !== undefined && random.chance(0.85) ? order.seller_id : random.pick(sellers)),
      item_count: random.int(1, 2), condition: "良好", note: ""
    }
    parcelRows.push(line)
    // The same parcel scanned again under another 受付番号, its slip number written with hyphens.
    if (random.chance(0.1)) {
      parcelRows.push({
        ...line, parcel_id: `IN-${p}-again`, received_at: septemberAt(random), item_count: random.int(1, 2),
        tracking_no: `${tracking.slice(0, 4)}-${tracking.slice(4, 8)}-${tracking.slice(8)}`
      })
    }
  }
  const reshipRows: Array<Record<string, unknown>> = []
  const reshipTracking = Array.from({ length: Math.ceil(orders / 3) }, (_, i) => `R${5000 + i}`)
  for (let r = 0; r < orders / 2; r++) {
    const orderId = random.chance(0.9) ? orderIdOf(random.int(1, orders)) : unknownRef(random, orders)
    refs.add(orderId)
    reshipRows.push({ order_id: orderId, tracking_no: random.pick(reshipTracking), parcel_id: null, carrier: "ヤマト運輸", shipped_at: septemberAt(random, 1, 30) })
  }
  await insertRows(url, { table: "orders", rows: orderRows })
  await insertRows(url, { table: "order_items", rows: itemRows })
  await insertRows(url, { table: "parcel_lines", rows: parcelRows })
  await insertRows(url, { table: "reshipments", rows: reshipRows })
  return [...refs].sort()
}
