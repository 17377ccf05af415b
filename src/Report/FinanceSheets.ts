// The payout worklists of finance.xlsx: what each sheet shows, and what to do about each
// finding. The rows come from src/Store/PayoutQueries.ts; nothing here decides a finding.
import type { FindingCode } from "../Domain/Finding.ts"
import type {
  ActionRow,
  ChannelTotalRow,
  ControlTotalRow,
  MatchedRow,
  OrphanRow,
  UnpaidRow
} from "../Store/PayoutQueries.ts"
import { decisionColumns } from "./FindingsSheet.ts"
import { type CellKind, type SheetSpec, severityLabels } from "./Sheet.ts"

type PayoutCode = Extract<FindingCode, `PAY_${string}`>

/** What each payout code is, in the words finance uses. */
export const payoutCodeLabels: Record<PayoutCode, string> = {
  PAY_MATCHED: "照合済",
  PAY_PENDING: "未払い（期日前）",
  PAY_DEFERRED: "保留",
  PAY_UNPAID_OVERDUE: "期日超過の未払い",
  PAY_TRANSFER_FAILED: "振込不能",
  PAY_AMOUNT_MISMATCH: "金額相違",
  PAY_DUPLICATE: "二重払い",
  PAY_ACCOUNT_MISMATCH: "振込先相違",
  PAY_NAME_MISMATCH: "名義相違",
  PAY_METHOD_MISMATCH: "支払方法相違",
  PAY_LATE: "期日後の支払い",
  PAY_WITHDRAWN_BUT_PAID: "取り下げ後の支払い",
  PAY_ORPHAN_TRANSFER: "依頼のない支払い",
  PAY_SCHEDULED: "振込ファイル作成済（結果待ち）",
  PAY_BANK_UNKNOWN: "金融機関・支店コード不明",
  PAY_HOLDER_NAME_INVALID: "口座名義が銀行の文字で書けない"
}

/**
 * The order one person works down 要対応 in (within errors, then within warnings):
 * money that went where it should not first, then money still owed, then checks.
 */
export const actionPriority: ReadonlyArray<PayoutCode> = [
  "PAY_WITHDRAWN_BUT_PAID",
  "PAY_DUPLICATE",
  "PAY_ACCOUNT_MISMATCH",
  "PAY_ORPHAN_TRANSFER",
  "PAY_AMOUNT_MISMATCH",
  "PAY_TRANSFER_FAILED",
  "PAY_UNPAID_OVERDUE",
  "PAY_BANK_UNKNOWN",
  "PAY_HOLDER_NAME_INVALID",
  "PAY_NAME_MISMATCH",
  "PAY_METHOD_MISMATCH",
  "PAY_LATE"
]

const actions: Partial<Record<PayoutCode, string>> = {
  PAY_WITHDRAWN_BUT_PAID: "組戻し依頼",
  PAY_DUPLICATE: "組戻し依頼（重複分）",
  PAY_ACCOUNT_MISMATCH: "組戻し依頼・正しい口座へ再振込",
  PAY_ORPHAN_TRANSFER: "振込先を確認・誤りなら組戻し依頼",
  PAY_TRANSFER_FAILED: "利用者へ連絡・振込先を確認して再振込",
  PAY_UNPAID_OVERDUE: "至急振込",
  PAY_NAME_MISMATCH: "名義確認",
  PAY_METHOD_MISMATCH: "利用者へ連絡",
  PAY_LATE: "利用者へ連絡（遅延）",
  PAY_BANK_UNKNOWN: "利用者へ振込先を確認",
  PAY_HOLDER_NAME_INVALID: "利用者へ口座名義のカナを確認"
}

/** The action for one finding; an amount mismatch is recovered or topped up by its direction. */
export const actionFor = (row: Pick<ActionRow, "code" | "requested_amount" | "transfer_amount">): string => {
  if (row.code === "PAY_AMOUNT_MISMATCH") {
    return (row.transfer_amount ?? 0) > (row.requested_amount ?? 0) ? "組戻し依頼（超過分）" : "不足分を追加振込"
  }
  return actions[row.code as PayoutCode] ?? "確認"
}

const labelOf = (code: string) => payoutCodeLabels[code as PayoutCode] ?? code

const findingTail = <Row extends { readonly detail: string; readonly first_seen: string; readonly status: string }>(detailWidth: number) => [
  { header: "内容", width: detailWidth, kind: "text" as const, wrap: true, value: (r: Row) => r.detail },
  { header: "状態", width: 6, kind: "text" as const, emphasis: true, value: (r: Row) => r.status },
  { header: "初回検出", width: 11, kind: "date" as const, print: false, value: (r: Row) => r.first_seen }
]

const isNew = (r: { readonly status: string }) => r.status === "新規"

export const actionSheet: SheetSpec<ActionRow> = {
  name: "要対応",
  columns: [
    { header: "重要度", width: 6, kind: "text", value: (r) => severityLabels[r.severity] },
    { header: "対応", width: 16, kind: "text", wrap: true, value: actionFor },
    { header: "種類", width: 10, kind: "text", wrap: true, value: (r) => labelOf(r.code) },
    { header: "依頼ID", width: 11, kind: "text", value: (r) => (r.code === "PAY_ORPHAN_TRANSFER" ? null : r.subject_id) },
    { header: "振込ID", width: 13, kind: "text", wrap: true, value: (r) => (r.code === "PAY_ORPHAN_TRANSFER" ? r.subject_id : r.related_id) },
    { header: "依頼額", width: 9, kind: "yen", value: (r) => r.requested_amount },
    { header: "支払額", width: 9, kind: "yen", value: (r) => r.transfer_amount },
    { header: "支払期日", width: 11, kind: "date", value: (r) => r.due_date },
    ...findingTail<ActionRow>(29),
    { header: "支払方法（依頼）", width: 14, kind: "text", print: false, value: (r) => r.method_label },
    { header: "口座名義（依頼）", width: 20, kind: "text", print: false, value: (r) => r.requested_holder },
    { header: "経路", width: 10, kind: "text", print: false, value: (r) => r.transfer_channel_label },
    { header: "支払日", width: 11, kind: "date", print: false, value: (r) => r.transfer_date },
    { header: "受取人名", width: 20, kind: "text", print: false, value: (r) => r.transfer_holder },
    { header: "振込先口座", width: 24, kind: "text", print: false, value: (r) => r.transfer_account },
    { header: "コード", width: 24, kind: "text", print: false, value: (r) => r.code }
  ],
  severity: (r) => r.severity,
  emphasise: isNew,
  decisionKey: (r) => r
}

const matchedByLabel = (matchedBy: string) => (matchedBy === "reference" ? "顧客コード・参照" : "口座（送金先）と金額")

export const matchedSheet: SheetSpec<MatchedRow> = {
  name: "照合済",
  columns: [
    { header: "依頼ID", width: 11, kind: "text", value: (r) => r.subject_id },
    { header: "振込ID", width: 13, kind: "text", wrap: true, value: (r) => r.related_id },
    { header: "経路", width: 8, kind: "text", wrap: true, value: (r) => r.channel_label },
    { header: "照合方法", width: 10, kind: "text", wrap: true, value: (r) => matchedByLabel(r.matched_by) },
    { header: "支払日", width: 11, kind: "date", value: (r) => r.transfer_date },
    { header: "金額", width: 9, kind: "yen", value: (r) => r.amount },
    { header: "手数料", width: 7, kind: "yen", value: (r) => r.fee },
    { header: "支払期日", width: 11, kind: "date", value: (r) => r.due_date },
    { header: "受取人名", width: 14, kind: "text", wrap: true, value: (r) => r.holder_name },
    { header: "口座番号", width: 9, kind: "text", value: (r) => r.account_number_masked },
    { header: "状態", width: 6, kind: "text", emphasis: true, value: (r) => r.status },
    { header: "依頼日", width: 11, kind: "date", print: false, value: (r) => r.requested_on },
    { header: "金融機関コード", width: 10, kind: "text", print: false, value: (r) => r.bank_code },
    { header: "支店コード", width: 8, kind: "text", print: false, value: (r) => r.branch_code },
    { header: "預金種目", width: 8, kind: "text", print: false, value: (r) => r.account_type_label },
    { header: "初回検出", width: 11, kind: "date", print: false, value: (r) => r.first_seen },
    ...decisionColumns<MatchedRow>()
  ],
  emphasise: isNew
}

const kindLabels: Record<string, string> = { sales_settlement: "売上精算", refund: "返金", fee_compensation: "手数料補填" }

export const unpaidSheet: SheetSpec<UnpaidRow> = {
  name: "未払い・保留",
  columns: [
    { header: "区分", width: 10, kind: "text", wrap: true, value: (r) => labelOf(r.code) },
    { header: "依頼ID", width: 11, kind: "text", value: (r) => r.subject_id },
    { header: "種別", width: 8, kind: "text", wrap: true, value: (r) => kindLabels[r.kind] ?? r.kind },
    { header: "支払方法", width: 9, kind: "text", wrap: true, value: (r) => r.method_label },
    { header: "金額", width: 9, kind: "yen", value: (r) => r.amount },
    { header: "依頼日", width: 11, kind: "date", value: (r) => r.requested_on },
    { header: "支払期日", width: 11, kind: "date", value: (r) => r.due_date },
    { header: "口座名義", width: 13, kind: "text", wrap: true, value: (r) => r.holder_name },
    { header: "口座番号", width: 9, kind: "text", value: (r) => r.account_number_masked },
    ...findingTail<UnpaidRow>(22),
    { header: "サービス", width: 12, kind: "text", print: false, value: (r) => r.service },
    { header: "期", width: 6, kind: "int", print: false, value: (r) => r.window_no },
    { header: "予定日（営業日調整前）", width: 14, kind: "date", print: false, value: (r) => r.nominal_due },
    { header: "金融機関コード", width: 10, kind: "text", print: false, value: (r) => r.bank_code },
    { header: "支店コード", width: 8, kind: "text", print: false, value: (r) => r.branch_code },
    { header: "預金種目", width: 8, kind: "text", print: false, value: (r) => r.account_type_label },
    ...decisionColumns<UnpaidRow>()
  ],
  emphasise: isNew
}

export const orphanSheet: SheetSpec<OrphanRow> = {
  name: "孤立振込",
  columns: [
    { header: "振込ID", width: 13, kind: "text", wrap: true, value: (r) => r.subject_id },
    { header: "経路", width: 8, kind: "text", wrap: true, value: (r) => r.channel_label },
    { header: "支払日", width: 11, kind: "date", value: (r) => r.transfer_date },
    { header: "金額", width: 9, kind: "yen", value: (r) => r.amount },
    { header: "顧客コード・参照", width: 12, kind: "text", wrap: true, value: (r) => r.reference },
    { header: "受取人名", width: 14, kind: "text", wrap: true, value: (r) => r.holder_name },
    { header: "口座番号", width: 9, kind: "text", value: (r) => r.account_number_masked },
    ...findingTail<OrphanRow>(30),
    { header: "手数料", width: 7, kind: "yen", print: false, value: (r) => r.fee },
    { header: "金融機関コード", width: 10, kind: "text", print: false, value: (r) => r.bank_code },
    { header: "支店コード", width: 8, kind: "text", print: false, value: (r) => r.branch_code },
    { header: "預金種目", width: 8, kind: "text", print: false, value: (r) => r.account_type_label },
    ...decisionColumns<OrphanRow>()
  ],
  severity: () => "error",
  emphasise: isNew
}

const controlHeader = [
  "区分", "支払方法", "支払期日", "件数", "依頼額（支払うべき額）", "支払済件数", "支払額",
  "未払件数", "未払額", "超過額", "不足額", "差額（依頼額−支払額）"
] as const

const controlKinds: ReadonlyArray<CellKind> = [
  "text", "text", "date", "int", "yen", "int", "yen", "int", "yen", "yen", "yen", "yen"
]

const controlLine = (label: string, method: string, due: string | null, t: Omit<ControlTotalRow, "category" | "group_label" | "method_label" | "due_date">) => [
  label, method, due, t.requests, t.owed_amount, t.paid_count, t.paid_amount,
  t.unpaid_count, t.unpaid_amount, t.overpaid_amount, t.underpaid_amount, t.owed_amount - t.paid_amount
]

/** The control totals section of サマリー: one line per group, then the grand total. */
export const controlTotalsSection = (rows: ReadonlyArray<ControlTotalRow>) => {
  const sum = (pick: (r: ControlTotalRow) => number) => rows.reduce((total, r) => total + pick(r), 0)
  const total = {
    requests: sum((r) => r.requests),
    owed_amount: sum((r) => r.owed_amount),
    paid_count: sum((r) => r.paid_count),
    paid_amount: sum((r) => r.paid_amount),
    unpaid_count: sum((r) => r.unpaid_count),
    unpaid_amount: sum((r) => r.unpaid_amount),
    overpaid_amount: sum((r) => r.overpaid_amount),
    underpaid_amount: sum((r) => r.underpaid_amount)
  }
  return {
    title: "支払の照合（各行で 差額 = 依頼額 − 支払額 = 未払額 + 不足額 − 超過額）",
    header: controlHeader,
    widths: [22, 9, 11, 6, 12, 6, 12, 6, 12, 8, 8, 8],
    kinds: controlKinds,
    rows: [
      ...rows.map((r) => controlLine(r.group_label, r.method_label, r.due_date, r)),
      controlLine("合計", "", null, total)
    ]
  }
}

/** What each channel's export holds, and where its completed transfers were found to belong. */
export const channelTotalsSection = (rows: ReadonlyArray<ChannelTotalRow>) => ({
  title: "経路ごとの支払（完了分の合計は上の表の支払額の合計と一致します）",
  header: ["経路", "完了件数", "完了額", "依頼に対応（件）", "依頼に対応（額）", "孤立（件）", "孤立（額）", "不能（件）", "取消（件）"],
  widths: [22, 8, 12, 8, 12, 6, 11, 6, 6],
  kinds: ["text", "int", "yen", "int", "yen", "int", "yen", "int", "int"] as ReadonlyArray<CellKind>,
  rows: rows.map((r) => [
    r.channel_label, r.completed_count, r.completed_amount, r.assigned_count, r.assigned_amount,
    r.orphan_count, r.orphan_amount, r.failed_count, r.cancelled_count
  ])
})
