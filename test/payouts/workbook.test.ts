// finance.xlsx read back: its sheets and headers, control totals that add up against the
// inbox, worklists that hold exactly the run's findings, and nothing finance may not see
// (a full account number, an address, an item name).
import ExcelJS from "exceljs"
import * as path from "node:path"
import { beforeAll, describe, expect, it } from "vitest"
import { crlf, orderItemsCsv, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"
import {
  accountA,
  accountB,
  accountC,
  amazonRequest,
  bankRequest,
  type BankTransferOptions,
  bankTransfer,
  linePayRequest,
  type LinePayTransferOptions,
  linePayTransfer,
  writePayoutInbox
} from "./payoutInbox.ts"

const asOf = "2023-09-05"

interface Request {
  readonly id: string
  readonly row: string
  readonly amount: number
  readonly withdrawn?: boolean
}
const requests: ReadonlyArray<Request> = [
  { id: "2308070001", amount: 12300, row: bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" }) },
  { id: "2308070002", amount: 5000, row: bankRequest("2308070002", { amount: 5000, at: "2023-08-07 12:00", account: accountB }) },
  { id: "2308080001", amount: 8000, row: bankRequest("2308080001", { amount: 8000, at: "2023-08-08 09:00", account: accountC }) },
  {
    id: "2308090001", amount: 3000, withdrawn: true,
    row: bankRequest("2308090001", { amount: 3000, at: "2023-08-09 09:00", status: "withdrawn" })
  },
  { id: "2308100001", amount: 11000, row: bankRequest("2308100001", { amount: 11000, at: "2023-08-10 09:00" }) },
  { id: "2308110001", amount: 4400, row: bankRequest("2308110001", { amount: 4400, at: "2023-08-11 09:00", account: accountB }) },
  { id: "2308120001", amount: 6500, row: bankRequest("2308120001", { amount: 6500, at: "2023-08-12 09:30" }) },
  { id: "2308130001", amount: 5800, row: linePayRequest("2308130001", { amount: 5800, at: "2023-08-13 10:00" }) },
  { id: "2308140001", amount: 6000, row: linePayRequest("2308140001", { amount: 6000, at: "2023-08-14 10:00" }) },
  { id: "2308150001", amount: 2400, row: linePayRequest("2308150001", { amount: 2400, at: "2023-08-15 10:00", userRef: "LP0000beef" }) },
  { id: "2308080005", amount: 3000, row: amazonRequest("2308080005", { amount: 3000, at: "2023-08-08 10:10" }) },
  { id: "2308200001", amount: 10000, row: bankRequest("2308200001", { amount: 10000, at: "2023-08-20 15:00" }) }
]

const bank: ReadonlyArray<readonly [string, BankTransferOptions]> = [
  ["20230821-000101", { date: "2023/08/21", amount: 12300, code: "2308070001" }],
  ["20230821-000102", { date: "2023/08/21", amount: 4855, fee: 145, code: "2308070002", account: accountB }],
  ["20230821-000103", { date: "2023/08/21", amount: 8000, code: "2308080001", account: accountC }],
  ["20230821-000104", { date: "2023/08/21", amount: 8000, account: accountC }],
  ["20230821-000105", { date: "2023/08/21", amount: 3000, code: "2308090001" }],
  ["20230821-000106", { date: "2023/08/21", amount: 4400, code: "2308110001", account: accountB, result: "不能" }],
  ["20230825-000031", { date: "2023/08/25", amount: 6500, code: "2308120001" }],
  ["20230901-000045", { date: "2023/09/01", amount: 15000, account: { ...accountB, number: "2718281" } }]
]
const linePay: ReadonlyArray<readonly [string, LinePayTransferOptions]> = [
  ["2023090110000000011", { at: "2023-09-01 10:00", amount: 5900, reference: "2308130001" }],
  ["2023090410000000012", { at: "2023-09-04 10:00", amount: 6000, reference: "2308140001" }],
  ["2023090411000000005", { at: "2023-09-04 11:00", amount: 4500, userRef: "LPffff0000" }]
]

const accountNumbers = [accountA, accountB, accountC].map((a) => a.number).concat("2718281")
const completedTotal = bank.filter(([, t]) => (t.result ?? "完了") === "完了").reduce((sum, [, t]) => sum + t.amount, 0)
  + linePay.filter(([, t]) => (t.status ?? "COMPLETE") === "COMPLETE").reduce((sum, [, t]) => sum + t.amount, 0)
const owedTotal = requests.filter((r) => r.withdrawn !== true).reduce((sum, r) => sum + r.amount, 0)

type Cell = ExcelJS.CellValue
const rowsOf = (sheet: ExcelJS.Worksheet): Array<Array<Cell>> => {
  const rows: Array<Array<Cell>> = []
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = (row.values as Array<Cell>).slice(1)
  })
  return Array.from(rows, (r) => r ?? [])
}
const text = (value: Cell): string =>
  value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : typeof value === "object" ? JSON.stringify(value) : String(value)

let workbook: ExcelJS.Workbook
let url: string

beforeAll(async () => {
  url = await createTestDatabase()
  const outDir = tempDir()
  const inbox = writePayoutInbox({
    requests: requests.map((r) => r.row),
    bank: bank.map(([id, t]) => bankTransfer(id, t)),
    linePay: linePay.map(([id, t]) => linePayTransfer(id, t))
  })
  // Shipping records in the same inbox: none of their items or addresses may reach finance.
  writeInbox({
    "orders_20230905.csv": ordersCsv("PS-00412345,2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500"),
    "order_items_20230905.csv": orderItemsCsv("PS-00412345,I5531002,夏の新刊セット,2,750"),
    "shipping_addresses_20230905.csv": crlf(
      "order_id,postal_code,prefecture,city,address_line,recipient_name,phone",
      "PS-00412345,100-0001,東京都,千代田区,千代田1-1-1 青空ハイツ101,佐藤 花子,03-0000-0000"
    )
  }, inbox)
  const result = await runPipeline(url, { inbox, outDir, asOf })
  expect(result.exitCode).toBe(0)
  workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(path.join(outDir, asOf, "finance.xlsx"))
})

const sheet = (name: string) => {
  const found = workbook.getWorksheet(name)
  if (found === undefined) throw new Error(`no sheet ${name}`)
  return found
}

const runFindings = async (codes: ReadonlyArray<string>) =>
  (await query<{ f: string }>(
    url,
    `SELECT code || ' ' || subject_id || ' ' || related_id AS f FROM findings
     WHERE closed_on IS NULL AND code = ANY($1) ORDER BY 1`,
    [codes]
  )).map((r) => r.f)

describe("finance.xlsx", () => {
  it("holds the summary, the control totals, the worklists, input errors and Findings, in that order", () => {
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["サマリー", "支払の照合", "要対応", "照合済", "未払い・保留", "孤立振込", "入力エラー", "Findings"])
  })

  it("heads each worklist with Japanese headers, frozen", () => {
    const header = (name: string) => rowsOf(sheet(name))[0]!.map(text)
    expect(header("要対応")).toEqual([
      "重要度", "対応", "種類", "依頼ID", "振込ID", "依頼額", "支払額", "支払期日", "内容", "状態", "対応状況", "メモ",
      "初回検出", "支払方法（依頼）", "口座名義（依頼）", "経路", "支払日", "受取人名", "振込先口座", "コード", "指摘キー"
    ])
    expect(header("照合済")).toEqual([
      "依頼ID", "振込ID", "経路", "照合方法", "支払日", "金額", "手数料", "支払期日", "受取人名", "口座番号", "状態",
      "依頼日", "金融機関コード", "支店コード", "預金種目", "初回検出", "対応者", "対応日", "メモ"
    ])
    expect(header("未払い・保留")).toEqual([
      "区分", "依頼ID", "種別", "支払方法", "金額", "依頼日", "支払期日", "口座名義", "口座番号", "内容", "状態",
      "初回検出", "サービス", "期", "予定日（営業日調整前）", "金融機関コード", "支店コード", "預金種目", "対応者", "対応日", "メモ"
    ])
    expect(header("孤立振込")).toEqual([
      "振込ID", "経路", "支払日", "金額", "顧客コード・参照", "受取人名", "口座番号", "内容", "状態", "初回検出",
      "手数料", "金融機関コード", "支店コード", "預金種目", "対応者", "対応日", "メモ"
    ])
    expect(header("Findings")).toEqual([
      "コード (code)", "重要度 (severity)", "対象ID (subject_id)", "関連ID (related_id)", "内容 (detail)",
      "初回検出 (first_seen)", "状態 (status)", "対応者", "対応日", "メモ"
    ])
    for (const name of ["要対応", "照合済", "未払い・保留", "孤立振込"]) {
      expect(sheet(name).views[0]).toMatchObject({ state: "frozen", ySplit: 1 })
    }
  })

  describe("支払の照合 control totals", () => {
    const controlTable = () => {
      const rows = rowsOf(sheet("支払の照合"))
      const title = rows.findIndex((r) => text(r[0]).startsWith("支払の照合"))
      expect(title).toBeGreaterThanOrEqual(0)
      const header = rows[title + 1]!.map(text)
      const body: Array<Record<string, Cell>> = []
      for (let i = title + 2; i < rows.length && rows[i]!.length > 0 && text(rows[i]![0]) !== ""; i++) {
        body.push(Object.fromEntries(header.map((h, c) => [h, rows[i]![c] ?? null])))
      }
      return body
    }
    const n = (value: Cell) => (value === null || value === undefined ? 0 : Number(value))

    it("adds up on every line: 依頼額 − 支払額 = 差額 = 未払額 + 不足額 − 超過額", () => {
      const lines = controlTable()
      expect(lines.length).toBeGreaterThan(5)
      for (const line of lines) {
        expect(n(line["依頼額（支払うべき額）"]) - n(line["支払額"]), text(line["区分"])).toBe(n(line["差額（依頼額−支払額）"]))
        expect(n(line["未払額"]) + n(line["不足額"]) - n(line["超過額"]), text(line["区分"])).toBe(n(line["差額（依頼額−支払額）"]))
      }
    })

    it("totals to what the inbox holds: every completed transfer paid, every live request owed", () => {
      const lines = controlTable()
      const total = lines.at(-1)!
      expect(total["区分"]).toBe("合計")
      for (const column of ["件数", "依頼額（支払うべき額）", "支払済件数", "支払額", "未払件数", "未払額", "超過額", "不足額"]) {
        expect(n(total[column]), column).toBe(lines.slice(0, -1).reduce((sum, line) => sum + n(line[column]), 0))
      }
      expect(n(total["支払額"])).toBe(completedTotal)
      expect(n(total["依頼額（支払うべき額）"])).toBe(owedTotal)
      expect(n(total["件数"])).toBe(requests.length)
    })

    it("shows each window and method, requests outside every window, deferred, withdrawn and orphans", () => {
      const lines = controlTable().map((l) => [
        text(l["区分"]), text(l["支払方法"]), n(l["件数"]), n(l["依頼額（支払うべき額）"]), n(l["支払済件数"]), n(l["支払額"]),
        n(l["未払件数"]), n(l["未払額"]), n(l["超過額"]), n(l["不足額"])
      ])
      expect(lines).toEqual([
        // 12,300 matched; 5,000 paid 4,855; 8,000 paid twice; 11,000 unpaid; 4,400 failed; 6,500 late
        ["第1期（依頼日 2023/08/07〜2023/08/13）", "銀行振込", 6, 47200, 4, 39655, 2, 15400, 8000, 145],
        ["第1期（依頼日 2023/08/07〜2023/08/13）", "LINE Pay", 1, 5800, 1, 5900, 0, 0, 100, 0],
        ["第2期（依頼日 2023/08/14〜2023/08/16）", "銀行振込", 0, 0, 0, 0, 0, 0, 0, 0],
        ["第2期（依頼日 2023/08/14〜2023/08/16）", "LINE Pay", 2, 8400, 1, 6000, 1, 2400, 0, 0],
        ["期間外（支払期日なし）", "銀行振込", 1, 10000, 0, 0, 1, 10000, 0, 0],
        ["保留（支払い再開待ち）", "Amazonギフト券", 1, 3000, 0, 0, 1, 3000, 0, 0],
        ["取り下げ（支払不要）", "銀行振込", 1, 0, 1, 3000, 0, 0, 3000, 0],
        ["孤立振込（依頼なし）", "銀行振込", 0, 0, 1, 15000, 0, 0, 15000, 0],
        ["孤立振込（依頼なし）", "LINE Pay", 0, 0, 1, 4500, 0, 0, 4500, 0],
        ["合計", "", 12, 74400, 9, 74055, 5, 30800, 30600, 145]
      ])
    })

    it("shows the rolled due date of each window and method", () => {
      const due = controlTable().filter((l) => text(l["区分"]).startsWith("第")).map((l) => (l["支払期日"] as Date).toISOString().slice(0, 10))
      expect(due).toEqual(["2023-08-21", "2023-09-01", "2023-09-01", "2023-09-04"])
    })
  })

  it("lists in 要対応 every payout error and warning of the run once, errors first", async () => {
    const [head, ...rows] = rowsOf(sheet("要対応"))
    const at = (name: string) => head!.map(text).indexOf(name)
    const [code, requestId, transferId, detail] = [at("コード"), at("依頼ID"), at("振込ID"), at("内容")]
    const listed = rows.map((r) =>
      `${text(r[code])} ${text(r[code]) === "PAY_ORPHAN_TRANSFER" ? text(r[transferId]) : `${text(r[requestId])} ${text(r[transferId])}`}`.trimEnd()
    )
    const raised = await runFindings([
      "PAY_UNPAID_OVERDUE", "PAY_TRANSFER_FAILED", "PAY_AMOUNT_MISMATCH", "PAY_DUPLICATE", "PAY_ACCOUNT_MISMATCH",
      "PAY_NAME_MISMATCH", "PAY_METHOD_MISMATCH", "PAY_LATE", "PAY_WITHDRAWN_BUT_PAID", "PAY_ORPHAN_TRANSFER"
    ])
    expect([...listed].sort()).toEqual(raised.map((f) => f.trimEnd()).sort())
    const severities = rows.map((r) => text(r[0]))
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === "エラー" ? -1 : 1)))
    expect(rows.map((r) => text(r[1]))).not.toContain("")
    const shortfall = rows.find((r) => text(r[code]) === "PAY_AMOUNT_MISMATCH" && text(r[requestId]) === "2308070002")!
    expect(text(shortfall[1])).toBe("不足分を追加振込")
    expect(text(shortfall[detail])).toContain("145円不足（振込手数料と同額：手数料を差し引いて振り込んだ可能性）")
  })

  it("lists in 照合済, 未払い・保留 and 孤立振込 exactly the run's matched, pending and deferred, and orphan findings", async () => {
    const ids = (name: string, columns: ReadonlyArray<number>) =>
      rowsOf(sheet(name)).slice(1).map((r) => columns.map((c) => text(r[c])).join(" ")).sort()
    expect(ids("照合済", [0, 1])).toEqual((await runFindings(["PAY_MATCHED"])).map((f) => f.replace("PAY_MATCHED ", "")))
    expect(ids("未払い・保留", [1])).toEqual((await runFindings(["PAY_PENDING", "PAY_DEFERRED"])).map((f) => f.split(" ")[1]).sort())
    expect(ids("孤立振込", [0])).toEqual((await runFindings(["PAY_ORPHAN_TRANSFER"])).map((f) => f.split(" ")[1]).sort())
  })

  it("writes ids as text, yen as #,##0 and dates as yyyy/mm/dd", () => {
    const matched = sheet("照合済")
    const linePayRow = rowsOf(matched).findIndex((r) => text(r[1]) === "2023090410000000012")
    expect(linePayRow).toBeGreaterThan(0)
    const row = matched.getRow(linePayRow + 1)
    expect(row.getCell(2).value).toBe("2023090410000000012")
    expect(row.getCell(6).value).toBe(6000)
    expect(row.getCell(6).numFmt).toBe("#,##0")
    expect(row.getCell(5).value).toBeInstanceOf(Date)
    expect(row.getCell(5).numFmt).toBe("yyyy/mm/dd")
  })

  it("never shows a full account number, an address or an item name in any cell", () => {
    const everyId = [...bank.map(([id]) => id), ...linePay.map(([id]) => id), ...requests.map((r) => r.id)]
    for (const number of accountNumbers) expect(everyId.some((id) => id.includes(number))).toBe(false)
    const cells: Array<string> = []
    for (const ws of workbook.worksheets) for (const row of rowsOf(ws)) for (const value of row) cells.push(text(value))
    expect(cells.some((c) => c.includes("****"))).toBe(true)
    for (const cell of cells) {
      expect(cell).not.toMatch(/(?<!\d)\d{7}(?!\d)/)
      for (const number of accountNumbers) expect(cell).not.toContain(number)
      for (const secret of ["夏の新刊セット", "千代田", "青空ハイツ", "100-0001", "03-0000-0000", "LP0000beef", "LPffff0000"]) {
        expect(cell).not.toContain(secret)
      }
    }
  })
})
