// The worklists of shipping.xlsx. Only 再発送リスト carries label fields (the buyer's
// address), and it lists only orders that are ready to re-ship (docs/reports.md).
import type { ActionRow, AwaitingRow, ReadyRow } from "../Store/ShippingQueries.ts"
import { decisionColumns } from "./FindingsSheet.ts"
import { type SheetSpec, severityLabels } from "./Sheet.ts"

const isNew = (r: { readonly status: string }) => r.status === "新規"

/** The label address on one line, or what to do when the export has none. */
const labelAddress = (r: ReadyRow) =>
  r.has_address ? [r.prefecture, r.city, r.address_line].filter((part) => part !== null && part !== "").join(" ") : "宛先データなし（確かめる）"

export const readySheet: SheetSpec<ReadyRow> = {
  name: "再発送リスト",
  columns: [
    { header: "至急", width: 4, kind: "text", value: (r) => (r.overdue ? "至急" : "") },
    { header: "待ち営業日", width: 6, kind: "int", value: (r) => r.business_days },
    { header: "注文ID", width: 12, kind: "text", value: (r) => r.order_id },
    { header: "頒布者ID", width: 8, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 11, kind: "text", wrap: true, value: (r) => r.circle_name },
    { header: "商品（数量）", width: 20, kind: "text", wrap: true, value: (r) => r.items },
    { header: "郵便番号", width: 9, kind: "text", value: (r) => r.postal_code },
    { header: "住所", width: 20, kind: "text", wrap: true, value: labelAddress },
    { header: "宛名", width: 10, kind: "text", wrap: true, value: (r) => r.recipient_name },
    // A mobile number (090-0000-0000) fits on one line; a longer one wraps in its cell rather than running into 状態.
    { header: "電話番号", width: 14, kind: "text", wrap: true, value: (r) => r.phone },
    { header: "状態", width: 6, kind: "text", emphasis: true, value: (r) => r.status },
    { header: "受付番号", width: 22, kind: "text", print: false, wrap: true, value: (r) => r.parcel_ids },
    { header: "最後の受付日", width: 11, kind: "date", print: false, value: (r) => r.last_received_on },
    { header: "点数", width: 6, kind: "int", print: false, value: (r) => r.item_count },
    { header: "荷物の状態", width: 10, kind: "text", print: false, value: (r) => r.conditions },
    { header: "受付時の備考", width: 30, kind: "text", print: false, wrap: true, value: (r) => r.notes },
    { header: "宛先", width: 22, kind: "text", print: false, value: (r) => (r.has_address ? "あり" : "なし（宛先データを確かめる）") },
    { header: "都道府県", width: 10, kind: "text", print: false, value: (r) => r.prefecture },
    { header: "市区町村", width: 16, kind: "text", print: false, value: (r) => r.city },
    { header: "番地・建物", width: 40, kind: "text", print: false, value: (r) => r.address_line },
    ...decisionColumns<ReadyRow>()
  ],
  severity: (r) => (r.overdue && r.status !== "対応済" ? "warning" : undefined),
  emphasise: isNew
}

export const actionSheet: SheetSpec<ActionRow> = {
  name: "要対応",
  columns: [
    { header: "対応", width: 6, kind: "text", value: (r) => r.action },
    { header: "すること", width: 24, kind: "text", wrap: true, value: (r) => r.guidance },
    { header: "頒布者ID", width: 9, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 12, kind: "text", wrap: true, value: (r) => r.circle_name },
    { header: "注文ID", width: 12, kind: "text", wrap: true, value: (r) => r.order_id },
    { header: "受付番号", width: 12, kind: "text", wrap: true, value: (r) => r.parcel_id },
    { header: "内容", width: 39, kind: "text", wrap: true, value: (r) => r.detail },
    { header: "状態", width: 6, kind: "text", emphasis: true, value: (r) => r.status },
    { header: "伝票・追跡番号", width: 16, kind: "text", print: false, value: (r) => r.tracking_no },
    { header: "コード", width: 28, kind: "text", print: false, value: (r) => r.code },
    { header: "重要度", width: 8, kind: "text", print: false, value: (r) => severityLabels[r.severity] },
    { header: "初回検出", width: 11, kind: "date", print: false, value: (r) => r.first_seen }
  ],
  severity: (r) => r.severity,
  emphasise: isNew,
  // Each action (返送, 確認, 保留) starts on its own page.
  breakBetween: (previous, row) => previous.action !== row.action,
  decisionKey: (r) => r
}

export const awaitingSheet: SheetSpec<AwaitingRow> = {
  name: "未着注文",
  columns: [
    { header: "頒布者ID", width: 9, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 16, kind: "text", wrap: true, value: (r) => r.circle_name },
    { header: "注文ID", width: 12, kind: "text", value: (r) => r.order_id },
    { header: "注文日", width: 11, kind: "date", value: (r) => r.ordered_on },
    { header: "商品ID", width: 10, kind: "text", value: (r) => r.item_id ?? "（明細なし）" },
    { header: "商品名", width: 32, kind: "text", wrap: true, value: (r) => r.item_name },
    { header: "数量", width: 6, kind: "int", value: (r) => r.quantity },
    { header: "一覧に載った日", width: 11, kind: "date", value: (r) => r.first_seen },
    { header: "状態", width: 6, kind: "text", emphasis: true, value: (r) => r.status },
    ...decisionColumns<AwaitingRow>()
  ],
  emphasise: isNew,
  // One seller per page, so that each seller's part can be printed and sent on its own.
  breakBetween: (previous, row) => previous.seller_id !== row.seller_id
}
