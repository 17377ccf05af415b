// `keshikomi zengin` as finance runs it: one line and exit 1 on a refusal, the file, the
// approver workbook whose total is the trailer's, and `--void`.
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { readZenginFile } from "../../src/Domain/ZenginFormat.ts"
import { keshikomi } from "../support/cli.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase } from "../support/testDatabase.ts"
import { bankRequest, writePayoutInbox } from "../payouts/payoutInbox.ts"

const requester = path.resolve(import.meta.dirname, "../../fixtures/zengin-requester.json")

describe("keshikomi zengin", () => {
  it("refuses a bank holiday with one line, writes the file and the workbook on a business day, and voids it", async () => {
    const url = await createTestDatabase()
    const env = { DATABASE_URL: url }
    const out = tempDir()
    const inbox = writePayoutInbox({
      requests: [
        bankRequest("2308070001", { amount: 12300, at: "2023-08-07 11:02" }),
        bankRequest("2308070002", { amount: 4800, at: "2023-08-08 11:02", kind: "refund", holder: "ｽｽﾞｷ ﾊﾅｺ" })
      ]
    })
    expect((await keshikomi(["run", "--inbox", inbox, "--out", out, "--as-of", "2023-09-05"], env)).code).toBe(0)
    const zengin = ["zengin", "--out", out, "--as-of", "2023-09-05", "--requester", requester]

    const holiday = await keshikomi([...zengin, "--transfer-date", "2023-09-18"], env)
    expect(holiday.code).toBe(1)
    expect(holiday.stderr).toBe("keshikomi: 拒否: 振込指定日 2023-09-18 は銀行の休業日です。次の営業日は 2023-09-19 です。\n")

    const written = await keshikomi([...zengin, "--transfer-date", "2023-09-06"], env)
    expect(written.stderr).toBe("")
    expect(written.code).toBe(0)
    const txt = path.join(out, "2023-09-05", "zengin_20230906.txt")
    const file = readZenginFile(fs.readFileSync(txt))
    expect(file.trailer).toEqual({ count: 2, total: 17100 })

    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(path.join(out, "2023-09-05", "zengin_20230906.xlsx"))
    const approval = workbook.getWorksheet("承認")!
    const rows = approval.getSheetValues().filter(Boolean).map((r) => (r as Array<unknown>).slice(1))
    expect(rows).toContainEqual(["第1期", "2023/08/21", "売上精算", 1, 12300])
    expect(rows).toContainEqual(["第1期", "2023/08/21", "返金", 1, 4800])
    expect(rows).toContainEqual(["合計（トレーラ・レコード）", undefined, undefined, file.trailer.count, file.trailer.total])
    const lines = workbook.getWorksheet("明細")!
    expect(lines.rowCount).toBe(3)
    expect(JSON.stringify(lines.getSheetValues())).not.toContain("1234567") // account numbers masked
    expect(lines.getRow(2).getCell(11).value).toBe("****567")

    const again = await keshikomi([...zengin, "--transfer-date", "2023-09-06"], env)
    expect(again.stdout).toContain("支払期日が来て振り込める銀行の依頼はありません: ファイルは書いていません\n")

    const voided = await keshikomi(["zengin", "--void", txt, "--note", "not uploaded"], env)
    expect(voided.code).toBe(0)
    expect(voided.stdout).toContain("zengin_20230906.txt を取り消しました: その 2 件の依頼は新しいファイルに入れられます\n")
  }, 240_000)
})
