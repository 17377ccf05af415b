// What each CSV export holds (inputs.md): its columns, how a row decodes, which table
// it lands in. Channel-specific transfer exports all map into the one `transfers` shape.
import { Either, Schema } from "effect"
import { bankHolderName } from "../Domain/BankName.ts"
import { normaliseHolderName } from "../Domain/HolderName.ts"
import { type ExportKind, isMoneyKind } from "../Domain/Kind.ts"
import { normaliseOrderId } from "../Domain/OrderId.ts"
import { boundedMemo, type TableSpec } from "../Store/Records.ts"
import type { CsvColumns } from "./Csv.ts"
import {
  FreeText,
  Instant,
  JapanDateTime,
  matching,
  oneOf,
  optional,
  PlainDate,
  PositiveYen,
  RequiredText,
  wholeNumber,
  Yen,
  cell,
  decodeCells,
  describeIssue
} from "./Fields.ts"

export interface CsvExport<Decoded, Encoded, Row extends Record<string, unknown>> {
  readonly kind: Exclude<ExportKind, "payout_schedule">
  readonly columns: CsvColumns
  /** Columns whose values are never repeated in a rejection reason (nor is any value of a money kind). */
  readonly personalColumns: ReadonlySet<string>
  /** Cells by header → checked values; failures become row rejections. */
  readonly schema: Schema.Schema<Decoded, Encoded>
  /** A row-level rule across cells; returns the reason when broken. */
  readonly check?: (decoded: Decoded) => string | undefined
  /** `holders` (optional) answers for holder names that repeat in a file, cached. */
  readonly toRow: (decoded: Decoded, holders?: HolderNames) => Row
  readonly table: TableSpec<Row>
}

/** What a holder name stores: its compared form (normaliseHolderName) and whether the banks' characters can write it. */
export interface HolderFacts {
  readonly key: string
  readonly writable: boolean
}
export type HolderNames = (name: string) => HolderFacts

const holderFacts: HolderNames = (name) => ({ key: normaliseHolderName(name), writable: bankHolderName(name) !== undefined })

// Any export, for code that handles them uniformly.
export type AnyCsvExport = CsvExport<any, any, any>

/** One row's cells, checked: the stored row, or the reason it is set aside. */
export type RowResult<Decoded, Row> =
  | { readonly _tag: "Accepted"; readonly decoded: Decoded; readonly row: Row }
  | { readonly _tag: "Rejected"; readonly reason: string }

/** Decodes, checks and maps rows of one export (the schema is compiled once). */
export const rowDecoder = <Decoded, Encoded, Row extends Record<string, unknown>>(spec: CsvExport<Decoded, Encoded, Row>) => {
  const decode = decodeCells(spec.schema)
  // One decoder per file: the holder names it has seen, kept only while it reads that file.
  const holders = boundedMemo(holderFacts)
  // A reason never repeats a value of a money file or of a personal column (issue 8).
  const mayQuote = (column: string) => !isMoneyKind(spec.kind) && !spec.personalColumns.has(column)
  return (cells: Readonly<Record<string, string>>): RowResult<Decoded, Row> => {
    const decoded = decode(cells)
    if (Either.isLeft(decoded)) return { _tag: "Rejected", reason: describeIssue(decoded.left, cells, mayQuote) }
    const broken = spec.check?.(decoded.right)
    return broken !== undefined
      ? { _tag: "Rejected", reason: broken }
      : { _tag: "Accepted", decoded: decoded.right, row: spec.toRow(decoded.right, holders) }
  }
}

const defineExport = <Decoded, Encoded, Row extends Record<string, unknown>>(spec: CsvExport<Decoded, Encoded, Row>) => spec
const asRow = <A extends Record<string, unknown>>(decoded: A) => decoded

const OrderId = matching(/^PS-\d{8}$/, "PS- と8桁の数字（例: PS-00412345）")
const SellerId = matching(/^S\d{6}$/, "S と6桁の数字（例: S104233）")

export const ordersExport = defineExport({
  kind: "orders",
  columns: {
    required: ["order_id", "ordered_at", "seller_id", "circle_name", "buyer_id", "shipping_method", "status", "total_amount"],
    freeText: ["circle_name"]
  },
  personalColumns: new Set(),
  schema: Schema.Struct({
    order_id: OrderId,
    ordered_at: Instant,
    seller_id: SellerId,
    circle_name: FreeText,
    buyer_id: matching(/^B\d{7}$/, "B と7桁の数字（例: B2023311）"),
    shipping_method: oneOf(["pictspace_anonymous", "yamato_anonymous", "direct"]),
    status: oneOf(["awaiting_shipment", "shipped", "cancelled", "refunded"]),
    total_amount: Yen
  }),
  toRow: asRow,
  table: {
    table: "orders",
    key: ["order_id"],
    columns: ["order_id", "ordered_at", "seller_id", "circle_name", "buyer_id", "shipping_method", "status", "total_amount"]
  }
})

export const orderItemsExport = defineExport({
  kind: "order_items",
  columns: { required: ["order_id", "item_id", "item_name", "quantity", "unit_price"], freeText: ["item_name"] },
  personalColumns: new Set(),
  schema: Schema.Struct({
    order_id: OrderId,
    item_id: RequiredText,
    item_name: FreeText,
    quantity: wholeNumber(1),
    unit_price: Yen
  }),
  toRow: asRow,
  table: {
    table: "order_items",
    key: ["order_id", "item_id"],
    columns: ["order_id", "item_id", "item_name", "quantity", "unit_price"]
  }
})

const addressColumns = ["order_id", "postal_code", "prefecture", "city", "address_line", "recipient_name", "phone"] as const
export const shippingAddressesExport = defineExport({
  kind: "shipping_addresses",
  columns: { required: addressColumns, freeText: ["prefecture", "city", "address_line", "recipient_name"] },
  personalColumns: new Set(addressColumns.filter((c) => c !== "order_id")),
  schema: Schema.Struct({
    order_id: OrderId,
    postal_code: RequiredText,
    prefecture: RequiredText,
    city: RequiredText,
    address_line: RequiredText,
    recipient_name: RequiredText,
    phone: FreeText
  }),
  toRow: asRow,
  table: { table: "shipping_addresses", key: ["order_id"], columns: addressColumns }
})

// The office intake log, typed by hand: Japanese headers, order ids as written. Its cell
// rules are exported: the intake desk (src/Desk/Server.ts) decodes what staff type with them.
export const TypedOrderId = cell("注文IDが空です", (text) => {
  const typed = text.trim()
  return typed === "" ? undefined : { typed, normalised: normaliseOrderId(typed) }
})
export const TrackingNo = cell("数字とハイフン（例: 1234-5678-9012）", (text) => {
  const value = text.normalize("NFKC").trim().replace(/[‐‑‒–—―−ー－]/g, "-")
  return /^\d[\d-]*$/.test(value) ? value : undefined
})

// Kept as written (width-normalised): a wrong seller is SHIP_SELLER_MISMATCH, not a bad row.
export const SlipSellerId = optional(cell("頒布者ID", (text) => text.normalize("NFKC").trim().toUpperCase()))
export const ParcelCondition = oneOf(["良好", "破損", "開封"])

export const parcelsExport = defineExport({
  kind: "parcels",
  columns: { required: ["受付番号", "受付日時", "配送業者", "伝票番号", "頒布者ID", "注文ID", "点数", "状態"], optional: ["備考"], freeText: ["配送業者", "備考"] },
  personalColumns: new Set(),
  schema: Schema.Struct({
    受付番号: RequiredText,
    受付日時: JapanDateTime,
    配送業者: FreeText,
    伝票番号: TrackingNo,
    頒布者ID: SlipSellerId,
    注文ID: TypedOrderId,
    点数: wholeNumber(0),
    状態: ParcelCondition,
    備考: Schema.optionalWith(FreeText, { default: () => "" })
  }),
  toRow: (row) => ({
    parcel_id: row.受付番号,
    order_ref: row.注文ID.normalised,
    order_ref_typed: row.注文ID.typed,
    received_at: row.受付日時,
    carrier: row.配送業者,
    tracking_no: row.伝票番号,
    seller_id: row.頒布者ID,
    item_count: row.点数,
    condition: row.状態,
    note: row.備考
  }),
  table: {
    table: "parcel_lines",
    key: ["parcel_id", "order_ref"],
    columns: ["parcel_id", "order_ref", "order_ref_typed", "received_at", "carrier", "tracking_no", "seller_id", "item_count", "condition", "note"]
  }
})

export const reshipmentsExport = defineExport({
  kind: "reshipments",
  columns: { required: ["parcel_id", "order_id", "carrier", "tracking_no", "shipped_at"], freeText: ["carrier"] },
  personalColumns: new Set(),
  schema: Schema.Struct({
    parcel_id: optional(RequiredText),
    order_id: cell("PS- と8桁の数字（例: PS-00412345）", (text) => {
      const id = normaliseOrderId(text)
      return /^PS-\d{8}$/.test(id) ? id : undefined
    }),
    carrier: FreeText,
    tracking_no: RequiredText,
    shipped_at: Instant
  }),
  toRow: asRow,
  table: {
    table: "reshipments",
    key: ["order_id", "tracking_no"],
    columns: ["order_id", "tracking_no", "parcel_id", "carrier", "shipped_at"]
  }
})

const bankColumns = ["bank_code", "branch_code", "account_type", "account_number", "account_holder"] as const
const isBlank = (value: unknown) => value === null

export const payoutRequestsExport = defineExport({
  kind: "payout_requests",
  columns: {
    required: ["request_id", "service", "kind", "user_id", "amount", "method", "requested_at", "status", ...bankColumns, "linepay_user_ref"]
  },
  personalColumns: new Set(["account_number", "account_holder", "linepay_user_ref", "user_id"]),
  schema: Schema.Struct({
    request_id: matching(/^\d{10}$/, "10桁の数字（例: 2308070001）"),
    service: oneOf(["pictSPACE", "pictSQUARE"]),
    kind: oneOf(["sales_settlement", "refund", "fee_compensation"]),
    user_id: RequiredText,
    amount: PositiveYen,
    method: oneOf(["bank", "linepay", "amazon_gift"]),
    requested_at: Instant,
    status: oneOf(["requested", "withdrawn"]),
    bank_code: optional(matching(/^\d{4}$/, "4桁の数字（金融機関コード）")),
    branch_code: optional(matching(/^\d{3}$/, "3桁の数字（支店コード）")),
    account_type: optional(oneOf(["1", "2", "4"])),
    account_number: optional(matching(/^\d{7}$/, "7桁の数字（口座番号）")),
    account_holder: optional(RequiredText),
    linepay_user_ref: optional(RequiredText)
  }),
  check: (row) => {
    // The lists of columns are made only for a row that fails (this runs for every row).
    if (row.method === "bank") {
      if (bankColumns.some((c) => isBlank(row[c]))) {
        return `振込先の列が空です（method が bank のとき必須）: ${bankColumns.filter((c) => isBlank(row[c])).join(", ")}`
      }
      if (row.linepay_user_ref !== null) return "列「linepay_user_ref」は method が linepay のときだけ書きます"
    } else {
      if (bankColumns.some((c) => !isBlank(row[c]))) {
        return `振込先の列は method が bank のときだけ書きます: ${bankColumns.filter((c) => !isBlank(row[c])).join(", ")}`
      }
      if (row.method === "linepay" && row.linepay_user_ref === null) return "列「linepay_user_ref」が空です（method が linepay のとき必須）"
      if (row.method !== "linepay" && row.linepay_user_ref !== null) return "列「linepay_user_ref」は method が linepay のときだけ書きます"
    }
    return undefined
  },
  toRow: (row, holders = holderFacts) => {
    const holder = row.account_holder === null ? undefined : holders(row.account_holder)
    // Every field named, not spread: a spread of the decoded row copied it key by key and
    // cost more than the rest of this function; the decoded row itself is left as it was.
    return {
      request_id: row.request_id,
      service: row.service,
      kind: row.kind,
      user_id: row.user_id,
      amount: row.amount,
      method: row.method,
      requested_at: row.requested_at,
      status: row.status,
      bank_code: row.bank_code,
      branch_code: row.branch_code,
      account_type: row.account_type,
      account_number: row.account_number,
      account_holder: row.account_holder,
      linepay_user_ref: row.linepay_user_ref,
      holder_key: holder?.key ?? null,
      // Decided here, on the clear name, so that no later step needs it (PAY_HOLDER_NAME_INVALID).
      holder_writable: holder?.writable ?? null
    }
  },
  table: {
    table: "payout_requests",
    key: ["request_id"],
    columns: [
      "request_id", "service", "kind", "user_id", "amount", "method", "requested_at", "status",
      ...bankColumns, "holder_key", "holder_writable", "linepay_user_ref"
    ]
  }
})

/** The one shape every channel's transfer results are stored in. */
export interface TransferRow extends Record<string, unknown> {
  readonly channel: string
  readonly transfer_id: string
  readonly reference: string | null
  readonly amount: number
  readonly outcome: "completed" | "failed" | "cancelled"
  readonly transfer_date: string
  readonly bank_code: string | null
  readonly branch_code: string | null
  readonly account_type: string | null
  readonly account_number: string | null
  readonly holder_name: string | null
  readonly holder_key: string | null
  readonly wallet_user_ref: string | null
  readonly fee: number | null
  readonly failure_reason: string | null
}

const transfersTable: TableSpec<TransferRow> = {
  table: "transfers",
  key: ["channel", "transfer_id"],
  columns: [
    "channel", "transfer_id", "reference", "amount", "outcome", "transfer_date", "bank_code", "branch_code",
    "account_type", "account_number", "holder_name", "holder_key", "wallet_user_ref", "fee", "failure_reason"
  ]
}

const accountTypeCode = { 普通: "1", 当座: "2", 貯蓄: "4" } as const
const bankOutcome = { 完了: "completed", 不能: "failed", 取消: "cancelled" } as const

export const bankTransfersExport = defineExport({
  kind: "bank_transfers",
  columns: {
    required: ["受付番号", "振込指定日", "金融機関コード", "支店コード", "預金種目", "口座番号", "受取人名", "振込金額", "手数料", "顧客コード", "結果"],
    optional: ["金融機関名", "支店名", "不能事由"]
  },
  personalColumns: new Set(["口座番号", "受取人名"]),
  schema: Schema.Struct({
    受付番号: RequiredText,
    振込指定日: PlainDate,
    金融機関コード: matching(/^\d{4}$/, "4桁の数字"),
    支店コード: matching(/^\d{3}$/, "3桁の数字"),
    預金種目: oneOf(["普通", "当座", "貯蓄"]),
    口座番号: matching(/^\d{7}$/, "7桁の数字"),
    受取人名: RequiredText,
    振込金額: PositiveYen,
    手数料: optional(Yen),
    顧客コード: optional(RequiredText),
    結果: oneOf(["完了", "不能", "取消"]),
    不能事由: Schema.optionalWith(optional(RequiredText), { default: () => null })
  }),
  check: (row) =>
    row.結果 !== "不能" && row.不能事由 !== null ? "不能事由は結果が「不能」のときだけ書かれます" : undefined,
  toRow: (row, holders = holderFacts): TransferRow => ({
    channel: "bank",
    transfer_id: row.受付番号,
    reference: row.顧客コード,
    amount: row.振込金額,
    outcome: bankOutcome[row.結果],
    transfer_date: row.振込指定日,
    bank_code: row.金融機関コード,
    branch_code: row.支店コード,
    account_type: accountTypeCode[row.預金種目],
    account_number: row.口座番号,
    holder_name: row.受取人名,
    holder_key: holders(row.受取人名).key,
    wallet_user_ref: null,
    fee: row.手数料,
    failure_reason: row.不能事由
  }),
  table: transfersTable
})

const linePayOutcome = { COMPLETE: "completed", FAILED: "failed", CANCELLED: "cancelled" } as const
// executed_at is an instant; the payout's date is the Japan calendar date of it.
const japanDateOf = (isoInstant: string) => new Date(Date.parse(isoInstant) + 9 * 3_600_000).toISOString().slice(0, 10)

export const linePayTransfersExport = defineExport({
  kind: "linepay_transfers",
  columns: { required: ["transaction_id", "reference", "linepay_user_ref", "amount", "status", "executed_at"] },
  personalColumns: new Set(["linepay_user_ref"]),
  schema: Schema.Struct({
    transaction_id: matching(/^\d{19}$/, "19桁の数字"),
    reference: optional(RequiredText),
    linepay_user_ref: RequiredText,
    amount: PositiveYen,
    status: oneOf(["COMPLETE", "FAILED", "CANCELLED"]),
    executed_at: Instant
  }),
  toRow: (row): TransferRow => ({
    channel: "linepay",
    transfer_id: row.transaction_id,
    reference: row.reference,
    amount: row.amount,
    outcome: linePayOutcome[row.status],
    transfer_date: japanDateOf(row.executed_at),
    bank_code: null,
    branch_code: null,
    account_type: null,
    account_number: null,
    holder_name: null,
    holder_key: null,
    wallet_user_ref: row.linepay_user_ref,
    fee: null,
    failure_reason: null
  }),
  table: transfersTable
})

export const csvExports: Record<Exclude<ExportKind, "payout_schedule">, AnyCsvExport> = {
  orders: ordersExport,
  order_items: orderItemsExport,
  shipping_addresses: shippingAddressesExport,
  parcels: parcelsExport,
  reshipments: reshipmentsExport,
  payout_requests: payoutRequestsExport,
  bank_transfers: bankTransfersExport,
  linepay_transfers: linePayTransfersExport
}
