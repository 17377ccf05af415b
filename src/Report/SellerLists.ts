// Per-seller lists: OUT/<as_of>/sellers/<seller_id>.xlsx, one per seller with open
// orders (still awaited, or received short), to send to that seller as they are. Each
// holds only that seller's own orders and items: no buyer, no address, no other seller.
import { createHash } from "node:crypto"
import { Chunk, Effect, Stream } from "effect"
import type { SellerOpenRow } from "../Store/ShippingQueries.ts"
import { type SheetSpec, writeSheet } from "./Sheet.ts"

/**
 * Bump when the seller sheet's layout or wording changes: every list is then written anew
 * the next night, not carried (a carried list is a link to the last published file).
 */
export const sellerListFormat = 1

/**
 * The digest of what a seller's list shows: its rows and the heading's fields, not the
 * date (a carried list keeps the date it was written: it is still true). No buyer data.
 */
export const sellerListDigest = (rows: ReadonlyArray<SellerOpenRow>) =>
  createHash("sha256").update(JSON.stringify([sellerListFormat, rows])).digest("hex")

const stateOf = (r: SellerOpenRow) =>
  r.short ? `一部未着（受領 ${r.received_qty} / 注文 ${r.ordered_qty} 点）` : "未着"

export const sellerSheet: SheetSpec<SellerOpenRow> = {
  name: "未着のご注文",
  columns: [
    { header: "注文ID", width: 13, kind: "text", value: (r) => r.order_id },
    { header: "注文日", width: 11, kind: "date", value: (r) => r.ordered_on },
    { header: "状況", width: 26, kind: "text", wrap: true, value: stateOf },
    { header: "商品ID", width: 11, kind: "text", value: (r) => r.item_id ?? "（明細なし）" },
    { header: "商品名", width: 40, kind: "text", wrap: true, value: (r) => r.item_name },
    { header: "数量", width: 6, kind: "int", value: (r) => r.quantity }
  ]
}

const japaneseDate = (asOf: string) => {
  const [y, m, d] = asOf.split("-").map(Number)
  return `${y}年${m}月${d}日`
}

/** The heading of a seller's list: addressed to the circle, short enough to send as is. */
export const sellerHeading = (rows: ReadonlyArray<SellerOpenRow>, asOf: string): ReadonlyArray<string> => {
  const first = rows[0]!
  const orders = new Set(rows.map((r) => r.order_id)).size
  return [
    `${first.circle_name} 様（頒布者ID ${first.seller_id}）`,
    `ピクスペ匿名転送: 事務局にまだ届いていない、または点数が足りないご注文が ${orders} 件あります（${japaneseDate(asOf)} 現在）。`,
    "下記の商品を事務局へお送りください。行き違いでお送りいただいている場合はご容赦ください。"
  ]
}

/**
 * The file name for a seller: the id itself when it is a plain name, else the id with
 * every other character replaced and a short hash of the id added (ids are text from an
 * export; a name must never leave the folder or collide).
 */
export const sellerFileName = (sellerId: string) =>
  /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(sellerId)
    ? `${sellerId}.xlsx`
    : `${sellerId.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 48)}-${createHash("sha256").update(sellerId).digest("hex").slice(0, 8)}.xlsx`

/** Groups the (seller-ordered) rows into one list per seller. */
export const bySeller = <E, R>(rows: Stream.Stream<SellerOpenRow, E, R>) =>
  rows.pipe(Stream.groupAdjacentBy((r) => r.seller_id), Stream.map(([, chunk]) => Chunk.toReadonlyArray(chunk)))

export const writeSellerSheet = (
  workbook: import("exceljs").stream.xlsx.WorkbookWriter,
  rows: ReadonlyArray<SellerOpenRow>,
  asOf: string
) => writeSheet(workbook, sellerSheet, Stream.fromIterable(rows), { heading: sellerHeading(rows, asOf) }).pipe(Effect.asVoid)
