// How long a sheet may get. A sheet of findings lists every row up to the cap (100,000
// by default); past it, a Findings sheet keeps its errors and warnings and counts its
// info findings by code, and an info worklist (照合済, 未着注文, …) lists none. Either
// way the sheet says so at its top and names the CSV that holds every finding, so that
// Excel's row limit is never what cuts a list. Decided from the run's counts by code,
// before any row is read.
import { type FindingCode, findingCodes } from "../Domain/Finding.ts"

export const defaultSheetRowCap = 100_000

export type ReportSide = "shipping" | "finance"

/** Each side's complete findings, beside its workbook (docs/reports.md). */
export const findingsCsvName = (side: ReportSide) => `${side}_findings.csv`

export interface CapPlan {
  /** The findings the list would hold. */
  readonly total: number
  /** More than the cap: the sheet holds only its errors and warnings. */
  readonly capped: boolean
  /** The info findings left to the CSV, by code (none left out when not capped). */
  readonly infoByCode: ReadonlyArray<readonly [FindingCode, number]>
  readonly info: number
}

const isCode = (code: string): code is FindingCode => Object.hasOwn(findingCodes, code)

/** The plan for a list of the findings of `codes` (every code of `counts` when omitted). */
export const capPlan = (counts: ReadonlyMap<string, number>, cap: number, codes?: ReadonlyArray<FindingCode>): CapPlan => {
  const listed = [...counts].filter(([code]) => isCode(code) && (codes === undefined || codes.includes(code))) as Array<[FindingCode, number]>
  const total = listed.reduce((n, [, count]) => n + count, 0)
  const capped = total > cap
  const infoByCode = capped
    ? listed.filter(([code, n]) => n > 0 && findingCodes[code].severity === "info").sort(([a], [b]) => a.localeCompare(b))
    : []
  return { total, capped, infoByCode, info: infoByCode.reduce((n, [, count]) => n + count, 0) }
}

const number = (n: number) => n.toLocaleString("en-US")

const byCode = (plan: CapPlan) => plan.infoByCode.map(([code, n]) => `${code} ${number(n)} 件`).join("、")

/** The lines at the top of a capped Findings sheet. */
export const findingsCapHeading = (plan: CapPlan, cap: number, side: ReportSide): ReadonlyArray<string> => [
  `指摘が ${number(plan.total)} 件あり、上限の ${number(cap)} 行を超えるため、このシートにはエラーと警告だけを載せています。`,
  `情報の指摘 ${number(plan.info)} 件（${byCode(plan)}）は載せていません。すべての指摘は ${findingsCsvName(side)} にあります。`
]

/** The lines at the top of a capped info worklist, which then lists nothing. */
export const worklistCapHeading = (sheet: string, plan: CapPlan, cap: number, side: ReportSide): ReadonlyArray<string> => [
  `${sheet}: ${number(plan.total)} 件あり、上限の ${number(cap)} 件を超えるため、このシートには載せていません。`,
  `すべて ${findingsCsvName(side)} にあります（${byCode(plan)}）。`
]

/** The lines at the top of a capped 再発送リスト, which then lists only the overdue orders. */
export const readyCapHeading = (plan: CapPlan, overdue: number, cap: number): ReadonlyArray<string> => [
  `再発送リスト: ${number(plan.total)} 件あり、上限の ${number(cap)} 件を超えるため、至急（3営業日以上待っている）${number(overdue)} 件だけを載せています。`,
  `ほかの注文も含め、すべて ${findingsCsvName("shipping")} にあります（SHIP_READY）。`
]

/** What a capped sheet still lists: its errors and warnings, its overdue orders, or nothing. */
export type CapKeeps = "errors and warnings" | "overdue" | "nothing"

/** What the summary sheet says about one capped list. */
export const capSummaryRow = (sheet: string, plan: CapPlan, side: ReportSide, keeps: CapKeeps): ReadonlyArray<string | number> => [
  sheet,
  plan.total,
  `${{ "errors and warnings": "エラーと警告だけ載せています", overdue: "至急の注文だけ載せています", nothing: "載せていません" }[keeps]}。` +
    `情報 ${number(plan.info)} 件（${byCode(plan)}）は ${findingsCsvName(side)} に`
]
