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
import { plainQuery } from "../Store/SheetQuery.ts"
import { findingsSheetQuery, inputCodes, inputErrorsSheet, writeFindingsSheet } from "./FindingsSheet.ts"
import type { ReportLane } from "./ReportLane.ts"
import type { RunFacts } from "./Reports.ts"
import { closedSection, countsSection, filesSection, listsSection, retentionSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"
import { capPlan, worklistCapHeading } from "./SheetCap.ts"

/**
 * Puts finance.xlsx's queries on the lane (its summary's, then each sheet's rows, holder
 * names still sealed) and gives back what writes the workbook from their results
 * (ReportLane.ts).
 */
export const planFinanceWorkbook = (
  facts: RunFacts,
  findings: FindingsStore["Type"],
  payouts: PayoutQueries,
  /** The most findings a sheet lists (SheetCap.ts). */
  cap: number,
  lane: ReportLane
) =>
  Effect.gen(function*() {
    const counts = facts.countsBySide.payout
    const findingsPlan = capPlan(counts, cap)
    const matchedPlan = capPlan(counts, cap, ["PAY_MATCHED"])
    const unpaidPlan = capPlan(counts, cap, ["PAY_PENDING", "PAY_SCHEDULED", "PAY_DEFERRED"])
    const summary = yield* lane.later(Effect.all({
      closed: Effect.map(Stream.runCollect(findings.closedBy(facts.runId, "payout").pipe(Stream.take(501))), Chunk.toReadonlyArray),
      controlTotals: payouts.controlTotals,
      channelTotals: payouts.channelTotals
    }))
    const actionRows = yield* lane.ahead(payouts.actionItems(facts.runId, actionPriority))
    const matchedRows = matchedPlan.capped ? Stream.empty : yield* lane.ahead(payouts.matched(facts.runId))
    const unpaidRows = unpaidPlan.capped ? Stream.empty : yield* lane.ahead(payouts.unpaid(facts.runId))
    const orphanRows = yield* lane.ahead(payouts.orphans(facts.runId))
    const inputErrorRows = yield* lane.ahead(plainQuery(findings.raisedByQuery(facts.runId, "payout", { codes: inputCodes })))
    const findingRows = yield* lane.ahead(plainQuery(findingsSheetQuery(findings, facts.runId, "payout", findingsPlan)))

    return (workbook: ExcelJS.stream.xlsx.WorkbookWriter) =>
      Effect.gen(function*() {
        const { closed, controlTotals, channelTotals } = yield* summary
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
        yield* writeSheet(workbook, actionSheet, actionRows)
        yield* writeSheet(workbook, matchedSheet, matchedRows, matchedPlan.capped
          ? { heading: worklistCapHeading("照合済", matchedPlan, cap, "finance") }
          : undefined)
        yield* writeSheet(workbook, unpaidSheet, unpaidRows, unpaidPlan.capped
          ? { heading: worklistCapHeading("未払い・保留", unpaidPlan, cap, "finance") }
          : undefined)
        yield* writeSheet(workbook, orphanSheet, orphanRows)
        yield* writeSheet(workbook, inputErrorsSheet, inputErrorRows)
        yield* writeFindingsSheet(workbook, findingRows, findingsPlan, cap, "finance")
      })
  })
