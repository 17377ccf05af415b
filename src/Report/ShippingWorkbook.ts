// shipping.xlsx: for shipping staff at the office. Shows order, parcel and seller ids,
// circle and item names and counts; the buyer's address only on 再発送リスト, for
// orders ready to re-ship; never anything about payouts or bank accounts.
import { Chunk, Effect, Stream } from "effect"
import type ExcelJS from "exceljs"
import type { FindingsStore } from "../Store/FindingsStore.ts"
import type { ShippingQueries, WaitingParcel } from "../Store/ShippingQueries.ts"
import { plainQuery } from "../Store/SheetQuery.ts"
import { findingsSheetQuery, inputCodes, inputErrorsSheet, writeFindingsSheet } from "./FindingsSheet.ts"
import type { RunFacts } from "./Reports.ts"
import { closedSection, countsSection, filesSection, listsSection, retentionSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"
import { capPlan, readyCapHeading, worklistCapHeading } from "./SheetCap.ts"
import { shippingActions } from "./ShippingActions.ts"
import type { ReportLane } from "./ReportLane.ts"
import { actionSheet, awaitingSheet, readySheet } from "./ShippingSheets.ts"

const actionGuides = Object.entries(shippingActions).map(([code, g]) => ({ code, ...g }))

const waitingRow = (label: string, waiting: WaitingParcel | undefined): ReadonlyArray<string | number | null> =>
  waiting === undefined
    ? [label, "なし", null, null, null, null]
    : [label, waiting.parcel_id, waiting.order_id, waiting.received_on, waiting.calendar_days, waiting.business_days]

/**
 * Puts shipping.xlsx's queries on the lane (its summary's, then each sheet's rows) and
 * gives back what writes the workbook from their results: the connection reads the next
 * sheet's rows while Node writes the last one (ReportLane.ts).
 */
export const planShippingWorkbook = (
  facts: RunFacts,
  findings: FindingsStore["Type"],
  queries: ShippingQueries,
  /** The most findings a sheet lists (SheetCap.ts). */
  cap: number,
  lane: ReportLane
) =>
  Effect.gen(function*() {
    const counts = facts.countsBySide.shipping
    const findingsPlan = capPlan(counts, cap)
    const awaitingPlan = capPlan(counts, cap, ["SHIP_AWAITING_PARCEL"])
    const readyPlan = capPlan(counts, cap, ["SHIP_READY"])
    const summary = yield* lane.later(Effect.all({
      closed: Effect.map(Stream.runCollect(findings.closedBy(facts.runId, "shipping").pipe(Stream.take(501))), Chunk.toReadonlyArray),
      longestReady: queries.longestReady(facts.asOf),
      oldest: queries.oldestNotReshipped(facts.asOf),
      awaitingSellers: queries.awaitingSellerCount()
    }))
    // Past the cap, the overdue orders (至急, a warning) stay: the rest are counted, like info findings.
    const readyRows = yield* lane.ahead(queries.readyToReship(facts.runId, facts.asOf, readyPlan.capped ? { overdueOnly: true } : undefined))
    const actionRows = yield* lane.ahead(plainQuery(queries.needingAction(facts.runId, actionGuides)))
    const awaitingRows = awaitingPlan.capped ? Stream.empty : yield* lane.ahead(plainQuery(queries.awaitingParcels(facts.runId)))
    const inputErrorRows = yield* lane.ahead(plainQuery(findings.raisedByQuery(facts.runId, "shipping", { codes: inputCodes })))
    const findingRows = yield* lane.ahead(plainQuery(findingsSheetQuery(findings, facts.runId, "shipping", findingsPlan)))

    return (workbook: ExcelJS.stream.xlsx.WorkbookWriter) =>
      Effect.gen(function*() {
        const { closed, longestReady, oldest, awaitingSellers } = yield* summary
        const count = (code: string) => counts.get(code) ?? 0
        const actionCount = Object.keys(shippingActions).reduce((n, code) => n + count(code), 0)

        yield* writeSummarySheet(workbook, "サマリー", [
          runSection(facts, "発送照合（ピクスペ匿名転送）"),
          {
            title: "作業リスト",
            header: ["シート", "件数", "内容"],
            widths: [22, 8, 60],
            kinds: ["text", "int", "text"],
            rows: [
              ["再発送リスト", count("SHIP_READY"), `いま再発送する注文（うち至急 ${count("SHIP_NOT_RESHIPPED")} 件: 3営業日以上待っている。待ちの長い順）`],
              ["要対応", actionCount, "返送・確認・保留が必要なもの（エラーと警告）"],
              ["未着注文", count("SHIP_AWAITING_PARCEL"), `荷物がまだ届いていない注文（頒布者 ${awaitingSellers} 名）`],
              ["頒布者ごとの一覧（新規・変更）", facts.sellerLists?.written ?? 0, "sellers/ のうち今回新しく作成した一覧（新規・内容の変更）: 送付するもの"],
              ["頒布者ごとの一覧（引き継ぎ）", facts.sellerLists?.carried ?? 0, "前回から内容が変わらず、そのまま引き継いだ一覧（見出しの日付は作成日のまま。送り直し不要）"]
            ]
          },
          {
            title: "まだ再発送していない荷物",
            header: ["項目", "受付番号", "注文ID", "受付日", "経過日数（暦日）", "経過営業日"],
            widths: [26, 18, 13, 11, 10, 9],
            kinds: ["text", "text", "text", "date", "int", "int"],
            rows: [
              waitingRow("事務局にある最も古い荷物（保留・確認中を含む）", oldest),
              waitingRow("再発送リストで最も長く待っている注文", longestReady)
            ]
          },
          countsSection(counts, "shipping"),
          closedSection(closed),
          retentionSection(facts, "shipping"),
          filesSection(facts, "shipping"),
          listsSection("shipping", [
            ["Findings", findingsPlan, "errors and warnings"],
            ["再発送リスト", readyPlan, "overdue"],
            ["未着注文", awaitingPlan, "nothing"]
          ])
        ], { heading: `${workbook.title}　基準日 ${facts.asOf}` })
        yield* writeSheet(workbook, readySheet, readyRows, readyPlan.capped
          ? { heading: readyCapHeading(readyPlan, count("SHIP_NOT_RESHIPPED"), cap) }
          : undefined)
        yield* writeSheet(workbook, actionSheet, actionRows)
        yield* writeSheet(workbook, awaitingSheet, awaitingRows, awaitingPlan.capped
          ? { heading: worklistCapHeading("未着注文", awaitingPlan, cap, "shipping") }
          : undefined)
        yield* writeSheet(workbook, inputErrorsSheet, inputErrorRows)
        yield* writeFindingsSheet(workbook, findingRows, findingsPlan, cap, "shipping")
      })
  })
