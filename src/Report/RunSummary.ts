// The parts of a summary sheet both workbooks share: the run, and the files it read.
import { findingCodes, type FindingCode, type Side } from "../Domain/Finding.ts"
import { readerSideOfKind } from "../Domain/Kind.ts"
import type { FindingRow } from "../Store/FindingsStore.ts"
import type { RunFacts } from "./Reports.ts"
import { severityLabels } from "./Sheet.ts"
import { type CapKeeps, type CapPlan, capSummaryRow, findingsCsvName, type ReportSide } from "./SheetCap.ts"

const outcomeLabel = { applied: "読み込み済", already_applied: "適用済（前回までに読み込み済）", rejected: "読み込めず" } as const

export const runSection = (facts: RunFacts, title: string) => ({
  title,
  header: ["項目", "値"],
  widths: [22],
  kinds: ["text", "date"] as const,
  rows: [
    ["基準日 (as_of)", facts.asOf],
    ["実行番号", `${facts.runId}${facts.dryRun === true ? "（試行: データベースには記録していません）" : ""}`],
    ["入力の状態", facts.ingest.anyRejected ? "読み込めなかった入力があります（入力エラー シート）" : "すべて読み込みました"]
  ]
})

/** The files of the inbox this workbook's readers may see (readerSideOfKind). */
export const filesSection = (facts: RunFacts, side: "shipping" | "payout") => ({
  title: "読み込んだファイル",
  header: ["ファイル", "種類", "結果", "取り込んだ行", "除外した行", "空の行（読み飛ばし）"],
  widths: [22, 14, 20, 10, 10, 12],
  kinds: ["text", "text", "text", "int", "int", "int"] as const,
  rows: facts.ingest.files
    .filter((f) => [side, "both"].includes(readerSideOfKind(f.kind)))
    .map((f) => [f.fileName, f.kind ?? "不明", outcomeLabel[f.outcome], f.rowsApplied, f.rowsRejected, f.rowsBlank])
})

export const countsSection = (counts: ReadonlyMap<string, number>, side: Side) => ({
  title: "コード別件数",
  header: ["コード", "重要度", "件数"],
  // The longest code (SHIP_RESHIP_WITHOUT_INTAKE, 28 units) on one line: a code has no
  // space to wrap at, so it would break inside a word. Wider would push the shipping
  // summary's six columns past the page.
  widths: [29, 8, 8],
  kinds: ["text", "text", "int"] as const,
  rows: (Object.keys(findingCodes) as Array<FindingCode>)
    .filter((code) => findingCodes[code].side === side || findingCodes[code].side === "input")
    .map((code) => [code, severityLabels[findingCodes[code].severity], counts.get(code) ?? 0])
})

// The summary lists at most this many closed findings; the rest are counted.
const closedListed = 500

/** 解消済: the findings this run closed (the data no longer raises them). */
export const closedSection = (rows: ReadonlyArray<FindingRow>) => {
  const listed = rows.slice(0, closedListed)
  const more = rows.length - listed.length
  return {
    title: `前回から解消した指摘（解消済）: ${rows.length > closedListed ? `${closedListed}件以上` : `${rows.length}件`}`,
    header: ["コード", "対象ID", "関連ID", "内容", "初回検出"],
    // 内容 gives up the 3 units コード別件数's codes take, within the page (printWidthBudget).
    widths: [22, 14, 14, 31, 11],
    kinds: ["text", "text", "text", "text", "date"] as const,
    rows: [
      ...listed.map((f) => [f.code, f.subject_id, f.related_id, f.detail, f.first_seen]),
      ...(more > 0 ? [[`ほかにもあります（Findings の履歴はデータベースに残っています）`, null, null, null, null]] : [])
    ]
  }
}

/**
 * What the run removed because its retention period was over (docs/privacy.md): each
 * workbook counts what its readers deal with (shipping the buyers' delivery data,
 * finance the account details), and both the old report folders.
 */
export const retentionSection = (facts: RunFacts, side: "shipping" | "payout") => {
  const { addressDays, accountDays, reportDays } = facts.retention.periods
  return {
    title: "保存期間を過ぎて削除したもの",
    header: ["項目", "件数", "内容"],
    widths: [22, 8, 60],
    kinds: ["text", "int", "text"] as const,
    rows: [
      side === "shipping"
        ? ["購入者の宛先", facts.retention.addressesDeleted, `再発送から${addressDays}日後、または注文が取消・返金・発送済になったもの`]
        : ["口座番号・名義", facts.retention.accountDetailsRemoved, `照合済・対応済から${accountDays}日後の支払依頼（照合用の鍵付きハッシュと下3桁は残ります）`],
      reportDays === 0
        ? ["レポートフォルダ", facts.retention.reportFolders.length, "保存期間なし: 削除しません"]
        : ["レポートフォルダ", facts.retention.reportFolders.length, `基準日が${reportDays}日より前のもの`]
    ]
  }
}

/**
 * Where every finding of the side is (the CSV beside the workbook), and which lists
 * were too long for a sheet: [sheet, plan, what it keeps when capped]; the Findings sheet first.
 */
export const listsSection = (side: ReportSide, lists: ReadonlyArray<readonly [string, CapPlan, CapKeeps]>) => {
  const findings = lists[0]?.[1]
  return {
    title: "すべての指摘の一覧",
    header: ["シート・ファイル", "件数", "内容"],
    widths: [22, 10, 60],
    kinds: ["text", "int", "text"] as const,
    rows: [
      [findingsCsvName(side), findings?.total ?? 0, "この実行のすべての指摘（Findings シートと同じ列、UTF-8）"],
      ...lists.filter(([, plan]) => plan.capped).map(([sheet, plan, keeps]) => capSummaryRow(sheet, plan, side, keeps))
    ]
  }
}
