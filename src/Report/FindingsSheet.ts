// The sheets both workbooks share: `Findings` (every finding of the side, with the
// exact header of reports.md) and 入力エラー (what could not be read).
import type { FindingRow } from "../Store/FindingsStore.ts"
import type { SheetSpec } from "./Sheet.ts"

export const findingsSheet: SheetSpec<FindingRow> = {
  name: "Findings",
  columns: [
    { header: "コード (code)", width: 28, kind: "text", value: (f) => f.code },
    { header: "重要度 (severity)", width: 12, kind: "text", value: (f) => f.severity },
    { header: "対象ID (subject_id)", width: 24, kind: "text", value: (f) => f.subject_id },
    { header: "関連ID (related_id)", width: 24, kind: "text", value: (f) => f.related_id },
    { header: "内容 (detail)", width: 80, kind: "text", value: (f) => f.detail },
    { header: "初回検出 (first_seen)", width: 14, kind: "date", value: (f) => f.first_seen },
    { header: "状態 (status)", width: 10, kind: "text", value: (f) => f.status }
  ],
  severity: (f) => f.severity
}

export const inputErrorsSheet: SheetSpec<FindingRow> = {
  name: "入力エラー",
  columns: [
    { header: "ファイル", width: 36, kind: "text", value: (f) => f.subject_id },
    { header: "行", width: 8, kind: "text", value: (f) => f.related_id },
    { header: "種類", width: 16, kind: "text", value: (f) => (f.code === "INPUT_FILE_REJECTED" ? "ファイル全体" : "行") },
    { header: "理由", width: 90, kind: "text", value: (f) => f.detail },
    { header: "初回検出", width: 12, kind: "date", value: (f) => f.first_seen },
    { header: "状態", width: 8, kind: "text", value: (f) => f.status }
  ],
  severity: () => "error"
}

export const inputCodes = ["INPUT_FILE_REJECTED", "INPUT_ROW_REJECTED"] as const
