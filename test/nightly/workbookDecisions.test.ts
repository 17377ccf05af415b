// Staff record decisions in the 要対応 sheet and hand the workbook back.
import ExcelJS from "exceljs"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { keshikomi } from "../support/cli.ts"
import { orderItemsCsv, ordersCsv, parcelsCsv, tempDir, writeInbox } from "../support/inbox.ts"
import { createTestDatabase, query } from "../support/testDatabase.ts"

const order = (id: string) => `${id},2023-08-10T21:14:03+09:00,S104233,サークル青空,B2023311,pictspace_anonymous,awaiting_shipment,1500`

const inbox = () =>
  writeInbox({
    "orders_20230901.csv": ordersCsv(order("PS-00000001"), order("PS-00000002")),
    "order_items_20230901.csv": orderItemsCsv("PS-00000001,I1,新刊,2,750", "PS-00000002,I1,新刊,2,750"),
    "parcels_20230904.csv": parcelsCsv(
      "IN-1,2023/09/04 10:00,日本郵便,1111,S104233,PS-00000001,1,良好,",
      "IN-2,2023/09/04 11:00,日本郵便,2222,S104233,PS-00000002,1,良好,"
    )
  })

const worklist = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const sheet = workbook.getWorksheet("要対応")!
  const header = (sheet.getRow(1).values as Array<unknown>).slice(1)
  return { workbook, sheet, column: (name: string) => header.indexOf(name) + 1 }
}

describe("resolve --from-workbook", () => {
  it("applies what staff marked 対応済, refuses an unknown finding, and the decision survives the next run", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const files = inbox()
    await keshikomi(["run", "--inbox", files, "--out", out, "--as-of", "2023-09-05"], { DATABASE_URL: url })
    const file = path.join(out, "2023-09-05", "shipping.xlsx")
    const { workbook, sheet, column } = await worklist(file)
    const keys = [2, 3].map((r) => String(sheet.getRow(r).getCell(column("指摘キー")).value))
    expect(keys).toEqual(["SHIP_COUNT_SHORT|PS-00000001|IN-1", "SHIP_COUNT_SHORT|PS-00000002|IN-2"])
    sheet.getRow(2).getCell(column("対応状況")).value = "対応済"
    sheet.getRow(2).getCell(column("メモ")).value = "残りは9/8着と頒布者から連絡"
    // A row whose key names no finding (typed over by hand).
    sheet.getRow(3).getCell(column("対応状況")).value = "対応済"
    sheet.getRow(3).getCell(column("指摘キー")).value = "SHIP_COUNT_SHORT|PS-09999999|IN-9"
    sheet.getRow(3).getCell(column("メモ")).value = "確認済み"
    const handedBack = path.join(tempDir(), "shipping-marked.xlsx")
    await workbook.xlsx.writeFile(handedBack)

    const result = await keshikomi(["resolve", "--from-workbook", handedBack, "--by", "yamada"], { DATABASE_URL: url })
    expect(result.stdout).toContain("受け付け: 2行目 SHIP_COUNT_SHORT PS-00000001 IN-1")
    expect(result.stdout).toContain("拒否: 3行目 SHIP_COUNT_SHORT PS-09999999 IN-9")
    expect(result.stdout).toContain("受け付け 1 件、拒否 1 件")
    expect(result.code).toBe(1)
    expect(await query(url, "SELECT decided_by, note, source, outcome FROM finding_decisions ORDER BY decision_id")).toEqual([
      { decided_by: "yamada", note: "残りは9/8着と頒布者から連絡", source: "workbook", outcome: "resolved" },
      expect.objectContaining({ source: "workbook", outcome: expect.stringMatching(/^refused/) })
    ])

    await keshikomi(["run", "--inbox", files, "--out", out, "--as-of", "2023-09-06"], { DATABASE_URL: url })
    const next = await worklist(path.join(out, "2023-09-06", "shipping.xlsx"))
    expect(String(next.sheet.getRow(2).getCell(next.column("指摘キー")).value)).toBe("SHIP_COUNT_SHORT|PS-00000002|IN-2")
    expect(next.sheet.getRow(3).getCell(1).value).toBeNull()
    expect(await query(url, "SELECT resolved_by, resolution_note FROM findings WHERE subject_id = 'PS-00000001' AND code = 'SHIP_COUNT_SHORT'"))
      .toEqual([{ resolved_by: "yamada", resolution_note: "残りは9/8着と頒布者から連絡" }])

    // Yesterday's workbook is refused whole now that a later run exists.
    const stale = await keshikomi(["resolve", "--from-workbook", handedBack], { DATABASE_URL: url })
    expect(stale.code).toBe(1)
    expect(stale.stdout).toMatch(/実行番号 \d+（基準日 2023-09-05）のブックです。最新の実行/)
  })

  it("refuses a trial workbook, a workbook of an earlier run of the same day, any 対応状況 but 未対応/対応済, and 対応済 without a メモ", async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    const files = inbox()
    const run = (...extra: Array<string>) => keshikomi(["run", "--inbox", files, "--out", out, "--as-of", "2023-09-05", ...extra], { DATABASE_URL: url })
    const handBack = async (source: string, mark: (sheet: ExcelJS.Worksheet, column: (name: string) => number) => void) => {
      const { workbook, sheet, column } = await worklist(source)
      mark(sheet, column)
      const file = path.join(tempDir(), "marked.xlsx")
      await workbook.xlsx.writeFile(file)
      return keshikomi(["resolve", "--from-workbook", file, "--by", "yamada"], { DATABASE_URL: url })
    }
    const markFirst = (sheet: ExcelJS.Worksheet, column: (name: string) => number) => {
      sheet.getRow(2).getCell(column("対応状況")).value = "対応済"
      sheet.getRow(2).getCell(column("メモ")).value = "頒布者に連絡"
    }

    await run()
    const earlier = path.join(tempDir(), "earlier.xlsx")
    fs.copyFileSync(path.join(out, "2023-09-05", "shipping.xlsx"), earlier)
    await run()
    const trial = await run("--dry-run")
    expect(trial.code).toBe(0)

    const refusedTrial = await handBack(path.join(out, "2023-09-05", "dry-run", "shipping.xlsx"), markFirst)
    expect(refusedTrial.code).toBe(1)
    expect(refusedTrial.stdout).toContain("試行（--dry-run）のブックです")

    // Same as-of date, but an earlier run: refused by run id.
    const refusedStale = await handBack(earlier, markFirst)
    expect(refusedStale.code).toBe(1)
    expect(refusedStale.stdout).toMatch(/実行番号 \d+（基準日 2023-09-05）のブックです。最新の実行（実行番号 \d+、基準日 2023-09-05）/)

    const mixed = await handBack(path.join(out, "2023-09-05", "shipping.xlsx"), (sheet, column) => {
      sheet.getRow(2).getCell(column("対応状況")).value = "済"
      sheet.getRow(3).getCell(column("対応状況")).value = "対応済"
    })
    expect(mixed.code).toBe(1)
    expect(mixed.stdout).toContain("拒否: 2行目: 対応状況「済」は「未対応」か「対応済」のどちらかにしてください")
    expect(mixed.stdout).toContain("拒否: 3行目 SHIP_COUNT_SHORT PS-00000002: 対応済 にはメモ（何をしたか）が要ります")
    expect(mixed.stdout).toContain("受け付け 0 件、拒否 2 件")
    expect(await query(url, "SELECT count(*)::int AS n FROM findings WHERE resolved_at IS NOT NULL")).toEqual([{ n: 0 }])

    const applied = await handBack(path.join(out, "2023-09-05", "shipping.xlsx"), markFirst)
    expect(applied.stdout).toContain("受け付け 1 件、拒否 0 件")
    expect(applied.code).toBe(0)
  }, 300_000) // seven runs of the real command: give a loaded machine room
})
