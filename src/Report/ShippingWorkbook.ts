// shipping.xlsx: for shipping staff at the office. Shows order, parcel and seller ids,
// circle and item names and counts; the buyer's address only on 再発送リスト, for
// orders ready to re-ship; never anything about payouts or bank accounts.
import { Chunk, Effect, Stream } from "effect"
import type ExcelJS from "exceljs"
import type { FindingsStore } from "../Store/FindingsStore.ts"
import type { ShippingQueries, WaitingParcel } from "../Store/ShippingQueries.ts"
import { findingsSheetRows, inputCodes, inputErrorsSheet, writeFindingsSheet } from "./FindingsSheet.ts"
import type { RunFacts } from "./Reports.ts"
import { closedSection, countsSection, filesSection, listsSection, retentionSection, runSection } from "./RunSummary.ts"
import { writeSheet, writeSummarySheet } from "./Sheet.ts"
import { capPlan, readyCapHeading, worklistCapHeading } from "./SheetCap.ts"
import { shippingActions } from "./ShippingActions.ts"
import { actionSheet, awaitingSheet, readySheet } from "./ShippingSheets.ts"

const actionGuides = Object.entries(shippingActions).map(([code, g]) => ({ code, ...g }))

const waitingRow = (label: string, waiting: WaitingParcel | undefined): ReadonlyArray<string | number | null> =>
  waiting === undefined
    ? [label, "なし", null, null, null, null]
    : [label, waiting.parcel_id, waiting.order_id, waiting.received_on, waiting.calendar_days, waiting.business_days]

export const writeShippingWorkbook = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  facts: RunFacts,
  findings: FindingsStore["Type"],
  queries: ShippingQueries,
  /** The most findings a sheet lists (SheetCap.ts). */
  cap: number
) =>
  Effect.gen(function*() {
    const counts = facts.countsBySide.shipping
    const findingsPlan = capPlan(counts, cap)
    const awaitingPlan = capPlan(counts, cap, ["SHIP_AWAITING_PARCEL"])
    const readyPlan = capPlan(counts, cap, ["SHIP_READY"])
    const closed = Chunk.toReadonlyArray(yield* Stream.runCollect(findings.closedBy(facts.runId, "shipping").pipe(Stream.take(501))))
    const longestReady = yield* queries.longestReady(facts.asOf)
    const oldest = yield* queries.oldestNotReshipped(facts.asOf)
    const awaitingSellers = yield* queries.awaitingSellerCount()
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
    // Past the cap, the overdue orders (至急, a warning) stay: the rest are counted, like info findings.
    yield* (readyPlan.capped
      ? writeSheet(workbook, readySheet, queries.readyToReship(facts.runId, facts.asOf, { overdueOnly: true }), {
        heading: readyCapHeading(readyPlan, count("SHIP_NOT_RESHIPPED"), cap)
      })
      : writeSheet(workbook, readySheet, queries.readyToReship(facts.runId, facts.asOf)))
    yield* writeSheet(workbook, actionSheet, queries.needingAction(facts.runId, actionGuides))
    yield* (awaitingPlan.capped
      ? writeSheet(workbook, awaitingSheet, Stream.empty, { heading: worklistCapHeading("未着注文", awaitingPlan, cap, "shipping") })
      : writeSheet(workbook, awaitingSheet, queries.awaitingParcels(facts.runId)))
    yield* writeSheet(workbook, inputErrorsSheet, findings.raisedBy(facts.runId, "shipping", { codes: inputCodes }))
    yield* writeFindingsSheet(workbook, findingsSheetRows(findings, facts.runId, "shipping", findingsPlan), findingsPlan, cap, "shipping")
  })
