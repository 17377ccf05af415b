// `keshikomi resolve --from-workbook FILE`: staff mark findings 対応済 in the 要対応 sheet
// (対応状況 drop-down, メモ) and hand the workbook back. Only a workbook of the latest
// completed run is accepted; each marked row is applied or refused on its own.
import { Effect } from "effect"
import ExcelJS from "exceljs"
import { readWorkbookStamp } from "../Report/Reports.ts"
import { decisionChoices, decisionHeaders, parseFindingKey } from "../Report/Sheet.ts"
import { Decisions } from "../Store/Decisions.ts"
import { RunLog } from "../Store/RunLog.ts"

export interface WorkbookDecisionReport {
  readonly applied: ReadonlyArray<string>
  readonly refused: ReadonlyArray<string>
}

const worklistSheet = "要対応"

const cellText = (cell: ExcelJS.Cell) => {
  const value = cell.value
  if (value === null || value === undefined) return ""
  if (typeof value === "object" && "richText" in value) return value.richText.map((part) => part.text).join("").trim()
  return String(value).trim()
}

export const applyWorkbookDecisions = (file: string, by: string) =>
  Effect.gen(function*() {
    const decisions = yield* Decisions
    const runLog = yield* RunLog
    const workbook = new ExcelJS.Workbook()
    const readable = yield* Effect.tryPromise({ try: () => workbook.xlsx.readFile(file), catch: (e) => e }).pipe(
      Effect.as(true),
      Effect.orElseSucceed(() => false)
    )
    if (!readable) return { applied: [], refused: [`${file}: Excel ファイルとして読めません`] } satisfies WorkbookDecisionReport
    const stamp = readWorkbookStamp(workbook.keywords)
    const latest = yield* runLog.latestCompleted
    const refuseAll = (reason: string) => ({ applied: [], refused: [`${file}: ${reason}`] }) satisfies WorkbookDecisionReport
    if (stamp === undefined || stamp.side === "seller") return refuseAll("keshikomi が書いた shipping.xlsx / finance.xlsx ではありません")
    // A trial run committed nothing: its findings and its run are not in the database.
    if (stamp.trial) return refuseAll(`試行（--dry-run）のブックです（実行番号 ${stamp.runId}）。試行の結果は記録できません。本番の実行のブックで記録してください`)
    // By run, not by date: a workbook of an earlier run of the same day is stale too.
    if (latest === undefined || stamp.runId !== latest.runId) {
      return refuseAll(
        `実行番号 ${stamp.runId}（基準日 ${stamp.asOf}）のブックです。最新の実行（実行番号 ${latest?.runId ?? "なし"}、基準日 ${latest?.asOf ?? "なし"}）のブックで記録してください`
      )
    }
    const sheet = workbook.getWorksheet(worklistSheet)
    if (sheet === undefined) return { applied: [], refused: [`${file}: 「${worklistSheet}」シートがありません`] } satisfies WorkbookDecisionReport
    const header = sheet.getRow(1)
    const columnOf = (name: string) => {
      let found = 0
      header.eachCell((cell, col) => {
        if (cellText(cell) === name) found = col
      })
      return found
    }
    const [statusCol, memoCol, keyCol] = [columnOf(decisionHeaders.status), columnOf(decisionHeaders.memo), columnOf(decisionHeaders.key)]
    if (statusCol === 0 || keyCol === 0) {
      return { applied: [], refused: [`${file}: 「${decisionHeaders.status}」「${decisionHeaders.key}」列がありません`] } satisfies WorkbookDecisionReport
    }
    const applied: Array<string> = []
    const refused: Array<string> = []
    for (let rowNumber = 2; rowNumber <= sheet.rowCount; rowNumber++) {
      const row = sheet.getRow(rowNumber)
      const status = cellText(row.getCell(statusCol))
      const keyText = cellText(row.getCell(keyCol))
      // Rows without a key and a status are not finding rows (e.g. the "rows left out" line).
      if (status === "" && keyText === "") continue
      if (status === decisionChoices.open) continue
      if (status !== decisionChoices.done) {
        refused.push(`${rowNumber}行目: ${decisionHeaders.status}「${status}」は「${decisionChoices.open}」か「${decisionChoices.done}」のどちらかにしてください`)
        continue
      }
      const key = parseFindingKey(keyText)
      if (key === undefined) {
        refused.push(`${rowNumber}行目: 指摘キー「${keyText}」が読めません`)
        continue
      }
      const memo = memoCol === 0 ? "" : cellText(row.getCell(memoCol))
      // The same rule as `keshikomi resolve`, which requires --note.
      if (memo === "") {
        refused.push(`${rowNumber}行目 ${key.code} ${key.subject_id}: ${decisionChoices.done} には${decisionHeaders.memo}（何をしたか）が要ります`)
        continue
      }
      const outcome = yield* decisions.resolve({
        code: key.code,
        subjectId: key.subject_id,
        relatedId: key.related_id,
        by,
        note: memo,
        source: "workbook"
      })
      const label = `${rowNumber}行目 ${key.code} ${key.subject_id}${key.related_id === "" ? "" : ` ${key.related_id}`}`
      if (outcome._tag === "Applied") applied.push(label)
      else refused.push(`${label}: ${outcome.reason}`)
    }
    return { applied, refused } satisfies WorkbookDecisionReport
  })
