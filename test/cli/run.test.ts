// The command as staff and cron run it: exit status, one-line errors, the workbooks.
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { keshikomi } from "../support/cli.ts"
import { bankTransfersCsv, ordersCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query } from "../support/testDatabase.ts"

const order = "PS-00000001,2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500"
const findingsHeader = [
  "コード (code)", "重要度 (severity)", "対象ID (subject_id)", "関連ID (related_id)", "内容 (detail)", "初回検出 (first_seen)", "状態 (status)"
]

describe("keshikomi run", () => {
  it("exits 0 and writes both workbooks, each with a summary first and the exact Findings header", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const inbox = writeInbox({ "orders_20230901.csv": ordersCsv(order) })
    const result = await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], { DATABASE_URL: url })
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    for (const name of ["shipping.xlsx", "finance.xlsx"]) {
      const workbook = new ExcelJS.Workbook()
      await workbook.xlsx.readFile(path.join(out, "2023-09-05", name))
      expect(workbook.worksheets[0]!.name).toBe("サマリー")
      const findings = workbook.getWorksheet("Findings")!
      // The contract's seven columns, then who handled a finding, when, and the note (issue 10).
      expect((findings.getRow(1).values as Array<unknown>).slice(1)).toEqual([...findingsHeader, "対応者", "対応日", "メモ"])
    }
    expect(fs.readdirSync(path.join(out, "2023-09-05")).sort()).toEqual(["finance.xlsx", "finance_findings.csv", "sellers", "shipping.xlsx", "shipping_findings.csv"])
    // One short summary at the end: what needs action in each workbook, and where the files are.
    expect(result.stdout).toContain(`基準日 2023-09-05 の実行 #`)
    expect(result.stdout).toMatch(/shipping\.xlsx: 再発送 0 件（うち至急 0 件）、要対応 0 件、未着注文 1 件/)
    expect(result.stdout).toContain(`出力先: ${path.join(out, "2023-09-05")}`)
  })

  // Issue 8 item 5: an input finding about a money file is for finance.xlsx only.
  it("exits 2 when a bank file is rejected, and lists it on finance.xlsx's 入力エラー sheet only", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const inbox = writeInbox({
      "bank_transfers_20230821.csv": {
        encoding: "cp932",
        text: bankTransfersCsv("20230821-000001,2023/08/21,0009,ﾐﾂｲｽﾐﾄﾓ,123,ﾄｳｷﾖｳ,普通,1234567,ﾔﾏﾀﾞ ﾀﾛｳ,\"12,3OO\",145,,完了,")
      }
    })
    const result = await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], { DATABASE_URL: url })
    expect(result.code).toBe(2)
    expect(await query(url, "SELECT * FROM transfers")).toEqual([])
    const sheetOf = async (name: string) => {
      const workbook = new ExcelJS.Workbook()
      await workbook.xlsx.readFile(path.join(out, "2023-09-05", name))
      return workbook
    }
    const finance = await sheetOf("finance.xlsx")
    expect(finance.getWorksheet("入力エラー")!.getRow(2).getCell(1).value).toBe("bank_transfers_20230821.csv")
    const shipping = await sheetOf("shipping.xlsx")
    for (const sheet of shipping.worksheets) {
      sheet.eachRow((row) => expect(JSON.stringify(row.values)).not.toContain("bank_transfers_20230821.csv"))
    }
  })

  it("exits 1 with one clear line when the inbox does not exist, changing nothing", async () => {
    const url = await createTestDatabase()
    const result = await keshikomi(["run", "--inbox", "/nonexistent/inbox", "--out", tempDir(), "--as-of", "2023-09-05"], {
      DATABASE_URL: url
    })
    expect(result.code).toBe(1)
    expect(result.stderr.trim().split("\n")).toEqual(["keshikomi: 受信フォルダ /nonexistent/inbox: フォルダがありません (no such folder)"])
    // Only the history records the failed run; no data was written.
    expect(await query(url, "SELECT as_of::text, outcome, exit_code FROM runs")).toEqual([
      { as_of: "2023-09-05", outcome: "failed", exit_code: 1 }
    ])
    expect(await query(url, "SELECT * FROM findings")).toEqual([])
  })

  it("exits 1 with one clear line when the database cannot be reached", async () => {
    const result = await keshikomi(["run", "--inbox", tempDir(), "--out", tempDir(), "--as-of", "2023-09-05"], {
      DATABASE_URL: "postgresql://keshikomi@127.0.0.1:1/keshikomi"
    })
    expect(result.code).toBe(1)
    const lines = result.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^keshikomi: データベースに接続できません: /)
    expect(result.stderr).not.toContain("postgresql://")
  })

  it("refuses an as-of that is not a date", async () => {
    const result = await keshikomi(["run", "--inbox", tempDir(), "--as-of", "2023-9-5"], { DATABASE_URL: "postgresql://unused@127.0.0.1:1/x" })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe("keshikomi: --as-of は YYYY-MM-DD の日付にしてください（例: --as-of 2023-09-05）（keshikomi run --help で使い方を表示）\n")
  })
})
