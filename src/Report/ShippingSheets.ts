// The worklist sheets of shipping.xlsx. Only 再発送リスト carries label fields (the
// buyer's address), and it lists only orders that are ready to re-ship (reports.md).
import type { ActionRow, AwaitingRow, ReadyRow } from "../Store/ShippingQueries.ts"
import type { SheetSpec } from "./Sheet.ts"

export const readySheet: SheetSpec<ReadyRow> = {
  name: "再発送リスト",
  columns: [
    { header: "至急", width: 6, kind: "text", value: (r) => (r.overdue ? "至急" : "") },
    { header: "状態", width: 8, kind: "text", value: (r) => r.status },
    { header: "注文ID", width: 14, kind: "text", value: (r) => r.order_id },
    { header: "頒布者ID", width: 10, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 20, kind: "text", value: (r) => r.circle_name },
    { header: "受付番号", width: 22, kind: "text", value: (r) => r.parcel_ids },
    { header: "最後の受付日", width: 12, kind: "date", value: (r) => r.last_received_on },
    { header: "経過営業日", width: 10, kind: "int", value: (r) => r.business_days },
    { header: "商品（数量）", width: 44, kind: "text", value: (r) => r.items },
    { header: "点数", width: 6, kind: "int", value: (r) => r.item_count },
    { header: "荷物の状態", width: 10, kind: "text", value: (r) => r.conditions },
    { header: "受付時の備考", width: 30, kind: "text", value: (r) => r.notes },
    { header: "宛先", width: 22, kind: "text", value: (r) => (r.has_address ? "あり" : "なし（宛先データを確かめる）") },
    { header: "郵便番号", width: 10, kind: "text", value: (r) => r.postal_code },
    { header: "都道府県", width: 10, kind: "text", value: (r) => r.prefecture },
    { header: "市区町村", width: 16, kind: "text", value: (r) => r.city },
    { header: "住所", width: 40, kind: "text", value: (r) => r.address_line },
    { header: "宛名", width: 18, kind: "text", value: (r) => r.recipient_name },
    { header: "電話番号", width: 14, kind: "text", value: (r) => r.phone }
  ],
  severity: (r) => (r.overdue && r.status !== "対応済" ? "warning" : undefined)
}

export const actionSheet: SheetSpec<ActionRow> = {
  name: "要対応",
  columns: [
    { header: "対応", width: 9, kind: "text", value: (r) => r.action },
    { header: "すること", width: 44, kind: "text", value: (r) => r.guidance },
    { header: "頒布者ID", width: 10, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 20, kind: "text", value: (r) => r.circle_name },
    { header: "注文ID", width: 14, kind: "text", value: (r) => r.order_id },
    { header: "受付番号", width: 18, kind: "text", value: (r) => r.parcel_id },
    { header: "伝票・追跡番号", width: 16, kind: "text", value: (r) => r.tracking_no },
    { header: "内容", width: 80, kind: "text", value: (r) => r.detail },
    { header: "コード", width: 28, kind: "text", value: (r) => r.code },
    { header: "重要度", width: 9, kind: "text", value: (r) => r.severity },
    { header: "初回検出", width: 12, kind: "date", value: (r) => r.first_seen },
    { header: "状態", width: 8, kind: "text", value: (r) => r.status }
  ],
  severity: (r) => r.severity,
  emphasise: (r) => r.status === "新規",
  decisionKey: (r) => r
}

export const awaitingSheet: SheetSpec<AwaitingRow> = {
  name: "未着注文",
  columns: [
    { header: "頒布者ID", width: 10, kind: "text", value: (r) => r.seller_id },
    { header: "サークル名", width: 20, kind: "text", value: (r) => r.circle_name },
    { header: "注文ID", width: 14, kind: "text", value: (r) => r.order_id },
    { header: "注文日", width: 12, kind: "date", value: (r) => r.ordered_on },
    { header: "商品ID", width: 12, kind: "text", value: (r) => r.item_id ?? "（明細なし）" },
    { header: "商品名", width: 36, kind: "text", value: (r) => r.item_name },
    { header: "数量", width: 6, kind: "int", value: (r) => r.quantity },
    { header: "一覧に載った日", width: 14, kind: "date", value: (r) => r.first_seen },
    { header: "状態", width: 8, kind: "text", value: (r) => r.status }
  ]
}
