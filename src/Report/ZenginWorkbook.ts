// zengin_<YYYYMMDD>.xlsx: what the approver signs off before the 総合振込 file is
// uploaded — count and total per schedule window and kind, the total as the file's
// trailer carries it, and one line per transfer with the account number masked.
import { Effect, Stream } from "effect"
import type { ZenginTrailer } from "../Domain/ZenginFormat.ts"
import type { PayableRequest } from "../Store/ZenginStore.ts"
import type { SheetSpec } from "./Sheet.ts"
import { newWorkbookWriter, writeSheet, writeSummarySheet } from "./Sheet.ts"

/** A line of the approver workbook: the request as selected, with what finance may see of its account. */
export interface ApprovalLine extends PayableRequest {
  /** ****123: the last three digits only */
  readonly account_masked: string
  /** 受取人名 as written in the file */
  readonly holder_name: string
}

export interface ApprovalFacts {
  readonly fileName: string
  readonly asOf: string
  readonly transferDate: string
  readonly dueBy: string
  readonly requesterName: string
  readonly requesterAccount: string
  readonly trailer: ZenginTrailer
  readonly dryRun: boolean
}

const kindLabels: Record<string, string> = { sales_settlement: "売上精算", refund: "返金", fee_compensation: "手数料補填" }
const accountTypeLabels: Record<string, string> = { "1": "普通", "2": "当座", "4": "貯蓄", "9": "その他" }
const windowLabel = (windowNo: number | null) => (windowNo === null ? "期間外" : `第${windowNo}期`)

export const maskAccount = (accountNumber: string) => `****${accountNumber.slice(-3)}`

const linesSheet: SheetSpec<ApprovalLine> = {
  name: "明細",
  columns: [
    { header: "顧客コード（依頼ID）", width: 20, kind: "text", value: (l) => l.request_id },
    { header: "期", width: 8, kind: "text", value: (l) => windowLabel(l.window_no) },
    { header: "支払期日", width: 11, kind: "date", value: (l) => l.due_date },
    { header: "サービス", width: 11, kind: "text", value: (l) => l.service },
    { header: "種別", width: 11, kind: "text", value: (l) => kindLabels[l.kind] ?? l.kind },
    { header: "金融機関コード", width: 14, kind: "text", value: (l) => l.bank_code },
    { header: "金融機関名", width: 16, kind: "text", value: (l) => l.bank_kana },
    { header: "支店コード", width: 10, kind: "text", value: (l) => l.branch_code },
    { header: "支店名", width: 16, kind: "text", value: (l) => l.branch_kana },
    { header: "預金種目", width: 9, kind: "text", value: (l) => accountTypeLabels[l.account_type] ?? l.account_type },
    { header: "口座番号", width: 10, kind: "text", value: (l) => l.account_masked },
    { header: "受取人名（振込ファイル）", width: 30, kind: "text", value: (l) => l.holder_name },
    { header: "振込金額", width: 12, kind: "yen", value: (l) => l.amount }
  ]
}

/** Count and total per window and kind, in the order the lines come. */
export const totalsByWindowAndKind = (lines: ReadonlyArray<ApprovalLine>) => {
  const groups = new Map<string, { window_no: number | null; due_date: string; kind: string; count: number; amount: number }>()
  for (const l of lines) {
    const key = `${l.window_no ?? ""}|${l.due_date}|${l.kind}`
    const group = groups.get(key) ?? { window_no: l.window_no, due_date: l.due_date, kind: l.kind, count: 0, amount: 0 }
    group.count++
    group.amount += l.amount
    groups.set(key, group)
  }
  return [...groups.values()]
}

export const writeApprovalWorkbook = (target: string, facts: ApprovalFacts, lines: ReadonlyArray<ApprovalLine>) =>
  Effect.gen(function*() {
    const workbook = newWorkbookWriter({ filename: target })
    workbook.creator = "keshikomi"
    const totals = totalsByWindowAndKind(lines)
    yield* writeSummarySheet(workbook, "承認", [
      {
        title: facts.dryRun ? "総合振込ファイルの試算（--dry-run：ファイルは作成していません）" : "総合振込ファイルの承認",
        header: ["項目", "内容"],
        widths: [24, 30],
        rows: [
          ["振込ファイル", facts.dryRun ? "（作成していません）" : facts.fileName],
          ["振込指定日", facts.transferDate.replaceAll("-", "/")],
          ["支払期日（この日までの分）", facts.dueBy.replaceAll("-", "/")],
          ["作成基準日（as_of）", facts.asOf.replaceAll("-", "/")],
          ["依頼人名", facts.requesterName],
          ["仕向口座", facts.requesterAccount]
        ]
      },
      {
        title: "期・種別ごとの件数と金額",
        header: ["期", "支払期日", "種別", "件数", "金額"],
        widths: [24, 30, 12, 10, 16],
        kinds: ["text", "text", "text", "int", "yen"],
        rows: [
          ...totals.map((t) => [windowLabel(t.window_no), t.due_date.replaceAll("-", "/"), kindLabels[t.kind] ?? t.kind, t.count, t.amount]),
          // The trailer record's 合計件数 and 合計金額, as the bank will read them.
          ["合計（トレーラ・レコード）", "", "", facts.trailer.count, facts.trailer.total]
        ]
      }
    ])
    yield* writeSheet(workbook, linesSheet, Stream.fromIterable(lines))
    yield* Effect.promise(() => workbook.commit())
  })
