// shipping.xlsx: for shipping staff at the office. Shows order, parcel and seller ids,
// circle and item names and counts; never anything about payouts or bank accounts.
import { Effect } from "effect"
import type ExcelJS from "exceljs"
import type { FindingsStore } from "../Store/FindingsStore.ts"
import { findingsSheet, inputCodes, inputErrorsSheet } from "./FindingsSheet.ts"
import type { RunFacts } from "./Reports.ts"
import { countsSection, filesSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"

export const writeShippingWorkbook = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  facts: RunFacts,
  findings: FindingsStore["Type"]
) =>
  Effect.gen(function*() {
    const counts = yield* findings.countsByCode(facts.runId)
    yield* writeSummarySheet(workbook, "サマリー", [
      runSection(facts, "発送照合（ピクスペ匿名転送）"),
      countsSection(counts, "shipping"),
      filesSection(facts)
    ])
    yield* writeSheet(workbook, inputErrorsSheet, findings.raisedBy(facts.runId, "shipping", { codes: inputCodes }))
    yield* writeSheet(workbook, findingsSheet, findings.raisedBy(facts.runId, "shipping"))
  })
