// No personal value in a stored finding detail (issue 8 item 5): holder names and
// account numbers reach finance.xlsx only through its own columns, opened there.
import ExcelJS from "exceljs"
import * as path from "node:path"
import { expect, it } from "vitest"
import { accountA, accountB, bankRequest, bankTransfer, writePayoutInbox } from "../payouts/payoutInbox.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, query, runPipeline } from "../support/testDatabase.ts"

it("stores the details of name, account and orphan findings without a holder name or account number", async () => {
  const url = await createTestDatabase()
  const out = tempDir()
  const at = { at: "2023-08-08 10:00" }
  await runPipeline(url, {
    inbox: writePayoutInbox({
      requests: [
        bankRequest("2308070001", { ...at, amount: 5000, holder: "スズキ　ハナコ" }),
        bankRequest("2308070002", { ...at, amount: 6000, account: accountB, holder: "タナカ　イチロウ" })
      ],
      bank: [
        // Same account, another name: PAY_NAME_MISMATCH.
        bankTransfer("20230821-000001", { date: "2023/08/21", amount: 5000, holder: "ｻﾄｳ ｼﾞﾛｳ", code: "2308070001" }),
        // Another account: PAY_ACCOUNT_MISMATCH.
        bankTransfer("20230821-000002", { date: "2023/08/21", amount: 6000, account: accountA, holder: "ｷﾑﾗ ﾀｸﾔ", code: "2308070002" }),
        // Nobody's: PAY_ORPHAN_TRANSFER.
        bankTransfer("20230821-000003", { date: "2023/08/21", amount: 777, account: { ...accountB, number: "2468024" }, holder: "ﾜﾀﾅﾍﾞ ｹﾝ" })
      ]
    }),
    outDir: out,
    asOf: "2023-09-05"
  })
  const details = await query<{ code: string; detail: string }>(url, "SELECT code, detail FROM findings ORDER BY code")
  expect(details.map((d) => d.code)).toEqual(expect.arrayContaining(["PAY_ACCOUNT_MISMATCH", "PAY_NAME_MISMATCH", "PAY_ORPHAN_TRANSFER"]))
  const personal = /スズキ|ハナコ|タナカ|イチロウ|ｻﾄｳ|サトウ|ｷﾑﾗ|キムラ|ﾜﾀﾅﾍﾞ|ワタナベ|1234567|7654321|2468024/
  for (const d of details) expect(d.detail, d.code).not.toMatch(personal)
  // The masked numbers still tell the accounts apart.
  expect(details.find((d) => d.code === "PAY_ACCOUNT_MISMATCH")!.detail).toContain("****321")
  expect(details.find((d) => d.code === "PAY_ACCOUNT_MISMATCH")!.detail).toContain("****567")

  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(path.join(out, "2023-09-05", "finance.xlsx"))
  const rows: Array<Array<unknown>> = []
  workbook.getWorksheet("要対応")!.eachRow((row) => rows.push((row.values as Array<unknown>).slice(1)))
  const header = rows[0]!
  const nameRow = rows.find((r) => r.includes("PAY_NAME_MISMATCH"))!
  expect(nameRow[header.indexOf("口座名義（依頼）")]).toBe("スズキ　ハナコ")
  expect(nameRow[header.indexOf("受取人名")]).toBe("ｻﾄｳ ｼﾞﾛｳ")
})
