// finance.xlsx: for finance staff. Shows request and transfer ids, amounts, dates, holder
// names, bank and branch codes; account numbers only masked; never addresses or items.
import { Chunk, Effect, Stream } from "effect"
import type ExcelJS from "exceljs"
import type { FindingsStore } from "../Store/FindingsStore.ts"
import type { PayoutQueries } from "../Store/PayoutQueries.ts"
import {
  actionPriority,
  actionSheet,
  channelTotalsSection,
  controlTotalsSection,
  matchedSheet,
  orphanSheet,
  unpaidSheet
} from "./FinanceSheets.ts"
import { findingsSheetRows, inputCodes, inputErrorsSheet, writeFindingsSheet } from "./FindingsSheet.ts"
import type { RunFacts } from "./Reports.ts"
import { closedSection, countsSection, filesSection, listsSection, retentionSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"
import { capPlan, worklistCapHeading } from "./SheetCap.ts"

export const writeFinanceWorkbook = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  facts: RunFacts,
  findings: FindingsStore["Type"],
  payouts: PayoutQueries,
  /** The most findings a sheet lists (SheetCap.ts). */
  cap: number
) =>
  Effect.gen(function*() {
    const counts = facts.countsBySide.payout
    const findingsPlan = capPlan(counts, cap)
    const matchedPlan = capPlan(counts, cap, ["PAY_MATCHED"])
    const unpaidPlan = capPlan(counts, cap, ["PAY_PENDING", "PAY_SCHEDULED", "PAY_DEFERRED"])
    const closed = Chunk.toReadonlyArray(yield* Stream.runCollect(findings.closedBy(facts.runId, "payout").pipe(Stream.take(501))))
    const controlTotals = yield* payouts.controlTotals
    const channelTotals = yield* payouts.channelTotals
    const heading = `${workbook.title}　基準日 ${facts.asOf}`
    yield* writeSummarySheet(workbook, "サマリー", [
      runSection(facts, "支払照合（売上精算・返金）"),
      countsSection(counts, "payout"),
      closedSection(closed),
      retentionSection(facts, "payout"),
      filesSection(facts, "payout"),
      listsSection("finance", [
        ["Findings", findingsPlan, "errors and warnings"],
        ["照合済", matchedPlan, "nothing"],
        ["未払い・保留", unpaidPlan, "nothing"]
      ])
    ], { heading })
    // The control totals are twelve columns wide: a sheet of their own keeps them on one page width.
    yield* writeSummarySheet(workbook, "支払の照合", [
      controlTotalsSection(controlTotals),
      channelTotalsSection(channelTotals)
    ], { heading })
    yield* writeSheet(workbook, actionSheet, payouts.actionItems(facts.runId, actionPriority))
    yield* (matchedPlan.capped
      ? writeSheet(workbook, matchedSheet, Stream.empty, { heading: worklistCapHeading("照合済", matchedPlan, cap, "finance") })
      : writeSheet(workbook, matchedSheet, payouts.matched(facts.runId)))
    yield* (unpaidPlan.capped
      ? writeSheet(workbook, unpaidSheet, Stream.empty, { heading: worklistCapHeading("未払い・保留", unpaidPlan, cap, "finance") })
      : writeSheet(workbook, unpaidSheet, payouts.unpaid(facts.runId)))
    yield* writeSheet(workbook, orphanSheet, payouts.orphans(facts.runId))
    yield* writeSheet(workbook, inputErrorsSheet, findings.raisedBy(facts.runId, "payout", { codes: inputCodes }))
    yield* writeFindingsSheet(workbook, findingsSheetRows(findings, facts.runId, "payout", findingsPlan), findingsPlan, cap, "finance")
  })
