// Small, readable shipping inboxes for the tests: each helper is one row of an export,
// written out as the CSV files a run reads (UTF-8, headers as in inputs.md).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createTestDatabase, query, raisedFindings, runPipeline } from "../support/testDatabase.ts"

export interface Order {
  readonly orderId: string
  readonly sellerId: string
  readonly circleName: string
  readonly status: "awaiting_shipment" | "shipped" | "cancelled" | "refunded"
  readonly method: "pictspace_anonymous" | "yamato_anonymous" | "direct"
}

export interface Item {
  readonly orderId: string
  readonly itemId: string
  readonly name: string
  readonly quantity: number
}

export interface Parcel {
  readonly parcelId: string
  readonly receivedAt: string
  readonly trackingNo: string
  readonly sellerOnSlip: string
  readonly typedOrderId: string
  readonly count: number
  readonly condition: "良好" | "破損" | "開封"
  readonly note: string
}

export interface Reshipment {
  readonly parcelId: string
  readonly orderId: string
  readonly trackingNo: string
  readonly shippedAt: string
}

export interface Address {
  readonly orderId: string
  readonly postalCode: string
  readonly prefecture: string
  readonly city: string
  readonly addressLine: string
  readonly recipientName: string
  readonly phone: string
}

export interface Inbox {
  readonly orders?: ReadonlyArray<Order>
  readonly items?: ReadonlyArray<Item>
  readonly parcels?: ReadonlyArray<Parcel>
  readonly reshipments?: ReadonlyArray<Reshipment>
  readonly addresses?: ReadonlyArray<Address>
}

export const order = (
  orderId: string,
  sellerId: string,
  circleName: string,
  status: Order["status"] = "awaiting_shipment",
  method: Order["method"] = "pictspace_anonymous"
): Order => ({ orderId, sellerId, circleName, status, method })

export const item = (orderId: string, itemId: string, name: string, quantity: number): Item => ({ orderId, itemId, name, quantity })

export const parcel = (
  parcelId: string,
  receivedAt: string,
  trackingNo: string,
  sellerOnSlip: string,
  typedOrderId: string,
  count: number,
  extra: { readonly condition?: Parcel["condition"]; readonly note?: string } = {}
): Parcel => ({
  parcelId, receivedAt, trackingNo, sellerOnSlip, typedOrderId, count,
  condition: extra.condition ?? "良好",
  note: extra.note ?? ""
})

export const reship = (orderId: string, trackingNo: string, shippedAt: string, parcelId = ""): Reshipment => ({
  parcelId,
  orderId,
  trackingNo,
  shippedAt
})

export const address = (orderId: string, recipientName: string, addressLine: string): Address => ({
  orderId,
  postalCode: "150-0001",
  prefecture: "東京都",
  city: "渋谷区",
  addressLine,
  recipientName,
  phone: "090-0000-1234"
})

const quote = (cell: string) => (/[",\n\r]/.test(cell) ? `"${cell.replaceAll("\"", "\"\"")}"` : cell)
const csv = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string | number>>) =>
  [header, ...rows].map((cells) => cells.map((c) => quote(String(c))).join(",")).join("\r\n") + "\r\n"

/** Writes `inbox` into a new temporary folder (files named for day `stamp`) and returns the folder. */
export const writeInbox = (inbox: Inbox, stamp = "20230905"): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-ship-"))
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, `${name}_${stamp}.csv`), text)
  if (inbox.orders !== undefined) {
    write("orders", csv(
      ["order_id", "ordered_at", "seller_id", "circle_name", "buyer_id", "shipping_method", "status", "total_amount"],
      inbox.orders.map((o) => [o.orderId, "2023-08-10T21:14:03+09:00", o.sellerId, o.circleName, "B2023311", o.method, o.status, 1500])
    ))
  }
  if (inbox.items !== undefined) {
    write("order_items", csv(
      ["order_id", "item_id", "item_name", "quantity", "unit_price"],
      inbox.items.map((i) => [i.orderId, i.itemId, i.name, i.quantity, 500])
    ))
  }
  if (inbox.addresses !== undefined) {
    write("shipping_addresses", csv(
      ["order_id", "postal_code", "prefecture", "city", "address_line", "recipient_name", "phone"],
      inbox.addresses.map((a) => [a.orderId, a.postalCode, a.prefecture, a.city, a.addressLine, a.recipientName, a.phone])
    ))
  }
  if (inbox.parcels !== undefined) {
    write("parcels", csv(
      ["受付番号", "受付日時", "配送業者", "伝票番号", "頒布者ID", "注文ID", "点数", "状態", "備考"],
      inbox.parcels.map((p) => [
        p.parcelId, p.receivedAt, "日本郵便", p.trackingNo, p.sellerOnSlip, p.typedOrderId, p.count, p.condition, p.note
      ])
    ))
  }
  if (inbox.reshipments !== undefined) {
    write("reshipments", csv(
      ["parcel_id", "order_id", "carrier", "tracking_no", "shipped_at"],
      inbox.reshipments.map((r) => [r.parcelId, r.orderId, "ヤマト運輸", r.trackingNo, r.shippedAt])
    ))
  }
  return dir
}

export const outDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-ship-out-"))

/** Runs the whole pipeline once on a fresh database; returns the SHIP_ findings it raised. */
export const runShipping = async (inbox: Inbox, asOf = "2023-09-05") => {
  const url = await createTestDatabase()
  const out = outDir()
  const result = await runPipeline(url, { inbox: writeInbox(inbox), outDir: out, asOf })
  return { url, out, result, findings: await raisedFindings(url, "SHIP_") }
}

/** The detail of one finding raised by the latest run. */
export const detailOf = async (url: string, code: string, subjectId: string) =>
  (await query<{ detail: string }>(
    url,
    `SELECT detail FROM findings WHERE code = $1 AND subject_id = $2
     AND closed_on IS NULL`,
    [code, subjectId]
  )).map((r) => r.detail)
