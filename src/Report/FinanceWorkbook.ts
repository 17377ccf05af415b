// finance.xlsx: for finance staff. Shows request and transfer ids, amounts, dates, holder
// names, bank and branch codes; account numbers only masked; never addresses or items.
import { Effect } from "effect"
import type ExcelJS from "exceljs"
import type { FindingsStore } from "../Store/FindingsStore.ts"
import { findingsSheet, inputCodes, inputErrorsSheet } from "./FindingsSheet.ts"
import type { RunFacts } from "./Reports.ts"
import { countsSection, filesSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"

export const writeFinanceWorkbook = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  facts: RunFacts,
  findings: FindingsStore["Type"]
) =>
  Effect.gen(function*() {
    const counts = yield* findings.countsByCode(facts.runId)
    yield* writeSummarySheet(workbook, "サマリー", [
      runSection(facts, "支払照合（売上精算・返金）"),
      countsSection(counts, "payout"),
      filesSection(facts)
    ])
    yield* writeSheet(workbook, inputErrorsSheet, findings.raisedBy(facts.runId, "payout", { codes: inputCodes }))
    yield* writeSheet(workbook, findingsSheet, findings.raisedBy(facts.runId, "payout"))
  })
