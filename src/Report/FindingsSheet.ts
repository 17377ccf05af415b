// The sheets both workbooks share: `Findings` (every finding of the side, with the
// exact header of docs/reports.md) and 入力エラー (what could not be read), and the
// decision columns every sheet that lists handled findings carries.
import { Stream } from "effect"
import type ExcelJS from "exceljs"
import { allFindingCodes, findingCodes, type Side } from "../Domain/Finding.ts"
import type { FindingRow, FindingsStore } from "../Store/FindingsStore.ts"
import { type Column, type SheetSpec, severityLabels, writeSheet } from "./Sheet.ts"
import { type CapPlan, findingsCapHeading, type ReportSide } from "./SheetCap.ts"

interface Decided {
  readonly resolved_by: string | null
  readonly resolved_on: string | null
  readonly resolution_note: string | null
}

/** 対応者, 対応日, メモ of a handled finding (empty while it is open); on screen, not on paper. */
export const decisionColumns = <Row extends Decided>(): ReadonlyArray<Column<Row>> => [
  { header: "対応者", width: 12, kind: "text", print: false, value: (r) => r.resolved_by },
  { header: "対応日", width: 11, kind: "date", print: false, value: (r) => r.resolved_on },
  { header: "メモ", width: 30, kind: "text", print: false, wrap: true, value: (r) => r.resolution_note }
]

const isNew = (r: { readonly status: string }) => r.status === "新規"

export const findingsSheet: SheetSpec<FindingRow> = {
  name: "Findings",
  columns: [
    { header: "コード (code)", width: 27, kind: "text", value: (f) => f.code },
    { header: "重要度 (severity)", width: 8, kind: "text", value: (f) => severityLabels[f.severity] },
    { header: "対象ID (subject_id)", width: 14, kind: "text", wrap: true, value: (f) => f.subject_id },
    { header: "関連ID (related_id)", width: 14, kind: "text", wrap: true, value: (f) => f.related_id },
    { header: "内容 (detail)", width: 38, kind: "text", wrap: true, value: (f) => f.detail },
    { header: "初回検出 (first_seen)", width: 11, kind: "date", value: (f) => f.first_seen },
    { header: "状態 (status)", width: 8, kind: "text", emphasis: true, value: (f) => f.status },
    ...decisionColumns<FindingRow>()
  ],
  severity: (f) => f.severity,
  emphasise: isNew
}

export const inputErrorsSheet: SheetSpec<FindingRow> = {
  name: "入力エラー",
  columns: [
    { header: "ファイル", width: 28, kind: "text", wrap: true, value: (f) => f.subject_id },
    { header: "行", width: 6, kind: "text", value: (f) => f.related_id },
    { header: "種類", width: 11, kind: "text", value: (f) => (f.code === "INPUT_FILE_REJECTED" ? "ファイル全体" : "行") },
    { header: "理由", width: 55, kind: "text", wrap: true, value: (f) => f.detail },
    { header: "初回検出", width: 11, kind: "date", value: (f) => f.first_seen },
    { header: "状態", width: 7, kind: "text", emphasis: true, value: (f) => f.status }
  ],
  severity: () => "error",
  emphasise: isNew
}

export const inputCodes = ["INPUT_FILE_REJECTED", "INPUT_ROW_REJECTED"] as const

// The error and warning codes a side's Findings sheet lists past its cap (input ones too).
const listedPastCap = (side: Exclude<Side, "input">) =>
  allFindingCodes.filter((code) => findingCodes[code].side !== (side === "shipping" ? "payout" : "shipping") && findingCodes[code].severity !== "info")

/**
 * The rows of a side's Findings sheet under `plan`. Past the cap the server is asked for
 * the error and warning codes only (the findings' key starts with the code, and a
 * finding's severity is its code's), so it sorts those alone, not every info finding with
 * them (797,870 PAY_MATCHED at 1M) for the sheet to stop at the first info row.
 */
export const findingsSheetRows = (findings: FindingsStore["Type"], runId: number, side: Exclude<Side, "input">, plan: CapPlan) =>
  findings.raisedBy(runId, side, plan.capped ? { codes: listedPastCap(side) } : undefined)

/**
 * The Findings sheet: every finding of the side, or, past the cap, its errors and
 * warnings only (`findingsSheetRows`; an info row would end the read all the same, as
 * the rows come errors first) under lines that count the rest and name the CSV that
 * holds them.
 */
export const writeFindingsSheet = <E, R>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  rows: Stream.Stream<FindingRow, E, R>,
  plan: CapPlan,
  cap: number,
  side: ReportSide
) =>
  plan.capped
    ? writeSheet(workbook, findingsSheet, rows.pipe(Stream.takeWhile((f) => f.severity !== "info")), {
      heading: findingsCapHeading(plan, cap, side)
    })
    : writeSheet(workbook, findingsSheet, rows)
