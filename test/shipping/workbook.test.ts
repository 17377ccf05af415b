// shipping.xlsx opened back with exceljs: its sheets, their headers, the worklists'
// key rows, and where personal data may (only 再発送リスト, only ready orders) appear.
import ExcelJS from "exceljs"
// exceljs's own zip reader, to look at the parts exceljs does not read back (fonts, quotePrefix).
import JSZip from "jszip"
import * as fs from "node:fs"
import * as path from "node:path"
import { sellerFileName } from "../../src/Report/SellerLists.ts"
import { decisionHeaders, fontName, linesNeeded, printWidthBudget } from "../../src/Report/Sheet.ts"
import { beforeAll, describe, expect, it } from "vitest"
import { address, item, order, parcel, reship, runShipping } from "./inbox.ts"

const aozora = (id: string, status?: Parameters<typeof order>[3]) => order(id, "S104233", "サークル青空", status)
const nekomata = (id: string) => order(id, "S106340", "ねこまた堂")

// Every order has an address in the export; only the two ready ones may show it.
const addresses = [
  address("PS-00000001", "山田 花子", "神南1-1-1 青空ハイツ101"),
  address("PS-00000002", "佐藤 一郎", "道玄坂2-2-2"),
  address("PS-00000003", "鈴木 次郎", "宇田川町3-3-3"),
  address("PS-00000004", "高橋 三郎", "桜丘町4-4-4"),
  address("PS-00000005", "田中 四郎", "円山町5-5-5"),
  address("PS-00000007", "伊藤 五郎", "松濤6-6-6")
].map((a, i) => ({ ...a, postalCode: `150-00${String(i + 10)}`, phone: `090-1111-00${String(i + 10)}` }))

const inbox = {
  orders: [
    aozora("PS-00000001"), // ready, waiting since Thu 8/31: overdue
    aozora("PS-00000002"), // ready since Mon 9/4
    aozora("PS-00000003"), // short
    aozora("PS-00000004", "cancelled"), // parcel to return
    nekomata("PS-00000005"), // awaiting
    nekomata("PS-00000006"), // awaiting, no address
    aozora("PS-00000007"), // re-shipped
    nekomata("PS-00000008") // ready, no address in the export
  ],
  items: [
    item("PS-00000001", "I1", "夏の新刊セット", 1),
    item("PS-00000001", "I2", "アクリルスタンド", 2),
    item("PS-00000002", "I1", "夏の新刊セット", 1),
    item("PS-00000003", "I3", "缶バッジ", 3),
    item("PS-00000004", "I1", "夏の新刊セット", 1),
    item("PS-00000005", "N1", "ラバーストラップ", 1),
    item("PS-00000005", "N2", "クリアファイル", 2),
    item("PS-00000006", "N1", "ラバーストラップ", 1),
    item("PS-00000007", "I1", "夏の新刊セット", 1),
    item("PS-00000008", "N1", "ラバーストラップ", 1)
  ],
  addresses,
  parcels: [
    parcel("IN-20230831-0001", "2023/08/31 10:00", "4410-0000-0001", "S104233", "PS-00000001", 3, { condition: "破損" as const, note: "外箱破損" }),
    parcel("IN-20230904-0001", "2023/09/04 10:00", "4410-0000-0002", "S104233", "ps00000002", 1),
    parcel("IN-20230904-0002", "2023/09/04 11:00", "4410-0000-0003", "S104233", "PS-00000003", 1),
    parcel("IN-20230830-0001", "2023/08/30 09:00", "4410-0000-0004", "S104233", "PS-00000004", 1),
    parcel("IN-20230901-0001", "2023/09/01 09:00", "4410-0000-0005", "S104233", "PS-00000099", 1),
    parcel("IN-20230829-0001", "2023/08/29 09:00", "4410-0000-0007", "S104233", "PS-00000007", 1),
    parcel("IN-20230904-0003", "2023/09/04 12:00", "4410-0000-0008", "S106340", "PS-00000008", 1)
  ],
  reshipments: [reship("PS-00000007", "489000000007", "2023-08-30T10:00:00+09:00")]
}

const personal = addresses.flatMap((a) => [a.recipientName, a.addressLine, a.postalCode, a.phone])

type Cell = string | number | Date | null

const rowsOf = (sheet: ExcelJS.Worksheet): Array<Array<Cell>> => {
  const rows: Array<Array<Cell>> = []
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values: Array<Cell> = []
    for (let col = 1; col <= row.cellCount; col++) {
      const v = row.getCell(col).value
      values.push(v === undefined ? null : (v as Cell))
    }
    rows.push(values)
  })
  return rows
}

const textOf = (sheet: ExcelJS.Worksheet) => rowsOf(sheet).flat().map((v) => (v instanceof Date ? v.toISOString() : String(v ?? ""))).join("\n")

describe("shipping.xlsx", () => {
  let workbook: ExcelJS.Workbook
  let raised: ReadonlyArray<string>
  let outDir: string
  const sheet = (name: string) => {
    const found = workbook.getWorksheet(name)
    if (found === undefined) throw new Error(`no sheet ${name}`)
    return found
  }
  const column = (name: string, header: string) => {
    const [head, ...rows] = rowsOf(sheet(name))
    const index = head!.indexOf(header)
    expect(index, `${name} has a column ${header}`).toBeGreaterThanOrEqual(0)
    return rows.map((r) => r[index] ?? null)
  }

  beforeAll(async () => {
    const { out, findings } = await runShipping(inbox, "2023-09-05")
    raised = findings
    outDir = out
    workbook = new ExcelJS.Workbook()
    await workbook.xlsx.readFile(path.join(out, "2023-09-05", "shipping.xlsx"))
  })

  it("was raised from a scenario with every worklist filled", () => {
    expect(raised).toEqual([
      "SHIP_AWAITING_PARCEL PS-00000005 S106340",
      "SHIP_AWAITING_PARCEL PS-00000006 S106340",
      "SHIP_COUNT_SHORT PS-00000003 IN-20230904-0002",
      "SHIP_NOT_RESHIPPED PS-00000001 IN-20230831-0001",
      "SHIP_ORDER_CANCELLED PS-00000004 IN-20230830-0001",
      "SHIP_READY PS-00000001 IN-20230831-0001",
      "SHIP_READY PS-00000002 IN-20230904-0001",
      "SHIP_READY PS-00000008 IN-20230904-0003",
      "SHIP_RESHIPPED PS-00000007 489000000007",
      "SHIP_UNKNOWN_ORDER IN-20230901-0001 PS-00000099"
    ])
  })

  it("opens on the summary and holds the worklists, input errors and Findings", () => {
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["サマリー", "再発送リスト", "要対応", "未着注文", "入力エラー", "Findings"])
  })

  it("has the header rows staff expect, frozen and filterable: the printed columns first, the rest beyond", () => {
    expect(rowsOf(sheet("再発送リスト"))[0]).toEqual([
      "至急", "待ち営業日", "注文ID", "頒布者ID", "サークル名", "商品（数量）", "郵便番号", "住所", "宛名", "電話番号", "状態",
      "受付番号", "最後の受付日", "点数", "荷物の状態", "受付時の備考", "宛先", "都道府県", "市区町村", "番地・建物",
      "対応者", "対応日", "メモ"
    ])
    expect(rowsOf(sheet("要対応"))[0]).toEqual([
      "対応", "すること", "頒布者ID", "サークル名", "注文ID", "受付番号", "内容", "状態", "対応状況", "メモ",
      "伝票・追跡番号", "コード", "重要度", "初回検出", "指摘キー"
    ])
    expect(rowsOf(sheet("未着注文"))[0]).toEqual([
      "頒布者ID", "サークル名", "注文ID", "注文日", "商品ID", "商品名", "数量", "一覧に載った日", "状態", "対応者", "対応日", "メモ"
    ])
    expect(rowsOf(sheet("Findings"))[0]).toEqual([
      "コード (code)", "重要度 (severity)", "対象ID (subject_id)", "関連ID (related_id)", "内容 (detail)", "初回検出 (first_seen)", "状態 (status)",
      "対応者", "対応日", "メモ"
    ])
    for (const name of ["再発送リスト", "要対応", "未着注文"]) {
      expect(sheet(name).views[0]).toMatchObject({ state: "frozen", ySplit: 1 })
      expect(sheet(name).autoFilter).toBeDefined()
    }
  })

  it("lists on 再発送リスト exactly the ready orders, longest waiting first, with business days, items and label fields", () => {
    expect(column("再発送リスト", "注文ID")).toEqual(["PS-00000001", "PS-00000002", "PS-00000008"])
    expect(column("再発送リスト", "待ち営業日")).toEqual([3, 1, 1])
    const [, first, , noAddress] = rowsOf(sheet("再発送リスト"))
    expect(first!.slice(0, 20)).toEqual([
      "至急", 3, "PS-00000001", "S104233", "サークル青空", "夏の新刊セット ×1 / アクリルスタンド ×2", "150-0010",
      "東京都 渋谷区 神南1-1-1 青空ハイツ101", "山田 花子", "090-1111-0010", "新規",
      "IN-20230831-0001", new Date("2023-08-31T00:00:00Z"), 3, "破損", "外箱破損", "あり", "東京都", "渋谷区", "神南1-1-1 青空ハイツ101"
    ])
    expect(column("再発送リスト", "至急")).toEqual(["至急", null, null])
    expect(noAddress!.slice(2, 3)).toEqual(["PS-00000008"])
    expect(column("再発送リスト", "住所")[2]).toBe("宛先データなし（確かめる）")
    expect(column("再発送リスト", "宛先")[2]).toBe("なし（宛先データを確かめる）")
    for (const header of ["郵便番号", "宛名", "電話番号", "都道府県", "市区町村", "番地・建物"]) {
      expect(column("再発送リスト", header)[2]).toBeNull()
    }
  })

  it("prints a mobile number on one line of 再発送リスト's 電話番号, which wraps a longer one in its cell", () => {
    // At 12 units "090-0000-2331" ran into 状態 on paper ("090-0000-2331新規"). Read from
    // the written sheet: the column's width, and the wrapping of a phone number's cell.
    const ready = sheet("再発送リスト")
    const [head] = rowsOf(ready)
    const phoneColumn = head!.indexOf("電話番号") + 1
    expect(phoneColumn).toBeGreaterThan(0)
    expect(ready.getRow(2).getCell(phoneColumn).value).toBe("090-1111-0010")
    expect(ready.getRow(2).getCell(phoneColumn).alignment?.wrapText).toBe(true)
    expect(linesNeeded("090-0000-2331", ready.getColumn(phoneColumn).width!)).toBe(1)
  })

  it("shows addresses only on 再発送リスト, and only those of ready orders", () => {
    const readyText = textOf(sheet("再発送リスト"))
    for (const value of ["山田 花子", "神南1-1-1 青空ハイツ101", "佐藤 一郎", "道玄坂2-2-2"]) expect(readyText).toContain(value)
    // 住所 joins prefecture, city and line; the parts follow beyond the print area.
    for (const value of personal.filter((v) => !["山田 花子", "神南1-1-1 青空ハイツ101", "150-0010", "090-1111-0010", "佐藤 一郎", "道玄坂2-2-2", "150-0011", "090-1111-0011"].includes(v))) {
      expect(readyText).not.toContain(value)
    }
    for (const other of workbook.worksheets.filter((s) => s.name !== "再発送リスト")) {
      const text = textOf(other)
      for (const value of personal) expect(text, `${other.name} shows ${value}`).not.toContain(value)
      expect(text).not.toMatch(/渋谷区|東京都|宛名|住所/)
    }
  })

  it("says nothing about payouts or bank accounts", () => {
    for (const s of workbook.worksheets) expect(textOf(s)).not.toMatch(/PAY_|口座|振込|payout/i)
  })

  it("lists on 要対応 every error and warning but the overdue re-shipping (marked 至急 on 再発送リスト), grouped by action", () => {
    expect(column("要対応", "コード")).toEqual(["SHIP_ORDER_CANCELLED", "SHIP_UNKNOWN_ORDER", "SHIP_COUNT_SHORT"])
    expect(column("要対応", "対応")).toEqual(["返送", "確認", "保留"])
    expect(column("要対応", "重要度")).toEqual(["エラー", "エラー", "警告"])
    expect(column("要対応", "注文ID")).toEqual(["PS-00000004", "PS-00000099", "PS-00000003"])
    expect(column("要対応", "受付番号")).toEqual(["IN-20230830-0001", "IN-20230901-0001", "IN-20230904-0002"])
    expect(column("要対応", "頒布者ID")).toEqual(["S104233", "S104233", "S104233"])
    expect(column("要対応", "状態")).toEqual(["新規", "新規", "新規"])
  })

  it("lists on 未着注文 the awaiting orders by seller, one row per item", () => {
    expect(rowsOf(sheet("未着注文")).slice(1).map((r) => r.slice(0, 7))).toEqual([
      ["S106340", "ねこまた堂", "PS-00000005", new Date("2023-08-10T00:00:00Z"), "N1", "ラバーストラップ", 1],
      ["S106340", "ねこまた堂", "PS-00000005", new Date("2023-08-10T00:00:00Z"), "N2", "クリアファイル", 2],
      ["S106340", "ねこまた堂", "PS-00000006", new Date("2023-08-10T00:00:00Z"), "N1", "ラバーストラップ", 1]
    ])
  })

  it("sums up counts by code and the oldest parcel not yet re-shipped", () => {
    const summary = rowsOf(sheet("サマリー"))
    // A section narrower than the sheet has its last cell merged to the right edge; a
    // reader sees the merged value repeated, so compare each section's own columns.
    const row = (label: string, width: number) => summary.find((r) => r[0] === label)?.slice(0, width)
    expect(row("SHIP_READY", 3)).toEqual(["SHIP_READY", "情報", 3])
    expect(row("SHIP_NOT_RESHIPPED", 3)).toEqual(["SHIP_NOT_RESHIPPED", "警告", 1])
    expect(row("SHIP_DUPLICATE_SCAN", 3)).toEqual(["SHIP_DUPLICATE_SCAN", "警告", 0])
    expect(row("基準日 (as_of)", 2)).toEqual(["基準日 (as_of)", new Date("2023-09-05T00:00:00Z")])
    expect(row("再発送リスト", 2)?.[1]).toBe(3)
    expect(row("要対応", 2)?.[1]).toBe(3)
    expect(row("未着注文", 2)?.[1]).toBe(2)
    // The cancelled order's parcel (8/30) goes back to its seller; the oldest held is 8/31's.
    expect(row("事務局にある最も古い荷物（保留・確認中を含む）", 6)).toEqual([
      "事務局にある最も古い荷物（保留・確認中を含む）", "IN-20230831-0001", "PS-00000001", new Date("2023-08-31T00:00:00Z"), 5, 3
    ])
    expect(row("再発送リストで最も長く待っている注文", 6)).toEqual([
      "再発送リストで最も長く待っている注文", "IN-20230831-0001", "PS-00000001", new Date("2023-08-31T00:00:00Z"), 5, 3
    ])
  })

  describe("on paper", () => {
    const lists = ["再発送リスト", "要対応", "未着注文", "入力エラー", "Findings"]
    const printedColumns = (name: string) => {
      const area = sheet(name).pageSetup.printArea!
      const m = /^\$?A\$?1:\$?([A-Z]+)\$?(\d+)$/.exec(area)
      expect(m, `${name} print area ${area}`).not.toBeNull()
      const last = m![1]!.split("").reduce((n, c) => n * 26 + c.charCodeAt(0) - 64, 0)
      return Array.from({ length: last }, (_, i) => i + 1)
    }

    it("prints every sheet A4 landscape at 100 % (the body stays at its 10 pt), with the header row repeated", () => {
      for (const s of workbook.worksheets) {
        expect(s.pageSetup, s.name).toMatchObject({ paperSize: 9, orientation: "landscape", scale: 100 })
        expect(s.pageSetup.fitToPage, s.name).toBeFalsy()
      }
      for (const name of lists) expect(sheet(name).pageSetup.printTitlesRow, name).toBe("1:1")
    })

    it("keeps the printed columns within one page width, and 指摘キー outside the print area", () => {
      for (const name of [...lists, "サマリー"]) {
        const width = printedColumns(name).reduce((n, col) => n + (sheet(name).getColumn(col).width ?? 9), 0)
        expect(width, name).toBeLessThanOrEqual(printWidthBudget)
      }
      const [head] = rowsOf(sheet("要対応"))
      expect(head!.indexOf(decisionHeaders.key) + 1).toBeGreaterThan(printedColumns("要対応").length)
    })

    it("heads every page with the sheet name, the title and the as-of date, and numbers it page N / M", () => {
      for (const s of workbook.worksheets) {
        expect(s.headerFooter.oddHeader, s.name).toMatch(/&A.*発送照合 shipping\.xlsx.*基準日 2023-09-05/)
        expect(s.headerFooter.oddFooter, s.name).toContain("&P / &N")
      }
    })

    it("writes every cell in one font, 10 pt, bold only for the 状態 of what is new", async () => {
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(outDir, "2023-09-05", "shipping.xlsx")))
      const styles = await zip.file("xl/styles.xml")!.async("string")
      const fonts = [...styles.matchAll(/<font>(.*?)<\/font>/g)].map((m) => m[1]!)
      // Font 0 is the Normal style: every unstyled cell, and the unit of column widths.
      expect(fonts[0]).toContain(`<name val="${fontName}"/>`)
      expect(fonts[0]).toContain(`<sz val="10"/>`)
      for (const font of fonts) expect(font).toContain(`<name val="${fontName}"/>`)
      for (const name of ["再発送リスト", "要対応", "未着注文", "Findings"]) {
        const [head, ...rows] = rowsOf(sheet(name))
        const statusCol = head!.findIndex((h) => String(h).startsWith("状態")) + 1
        rows.forEach((values, i) => {
          const row = sheet(name).getRow(i + 2)
          values.forEach((_, c) => {
            const bold = row.getCell(c + 1).font?.bold === true
            expect(bold, `${name} row ${i + 2} column ${c + 1}`).toBe(c + 1 === statusCol && row.getCell(statusCol).value === "新規")
          })
        })
      }
    })

    it("puts the 未対応/対応済 drop-down on 対応状況, not on メモ", () => {
      const ws = sheet("要対応")
      const [head] = rowsOf(ws)
      const status = head!.indexOf(decisionHeaders.status) + 1
      const memo = head!.indexOf(decisionHeaders.memo) + 1
      const validation = ws.getRow(2).getCell(status).dataValidation
      expect(validation).toMatchObject({ type: "list", formulae: ['"未対応,対応済"'] })
      expect(ws.getRow(2).getCell(memo).dataValidation).toBeUndefined()
    })

    it("breaks 要対応 before each new action and 未着注文 before each new seller", async () => {
      const zip = await JSZip.loadAsync(fs.readFileSync(path.join(outDir, "2023-09-05", "shipping.xlsx")))
      const breaks: Record<string, Array<number>> = {}
      for (const [index, name] of workbook.worksheets.map((s, i) => [i + 1, s.name] as const)) {
        const xml = await zip.file(`xl/worksheets/sheet${index}.xml`)!.async("string")
        breaks[name] = [...xml.matchAll(/<brk id="(\d+)"[^>]*man="1"/g)].map((m) => Number(m[1]))
      }
      const breaksOf = (name: string) => breaks[name] ?? []
      // 返送, 確認, 保留 on rows 2, 3, 4: breaks after rows 2 and 3.
      expect(breaksOf("要対応")).toEqual([2, 3])
      // Only one seller awaits parcels here: no break.
      expect(breaksOf("未着注文")).toEqual([])
    })
  })

  describe("per-seller lists", () => {
    const sellerBook = async (sellerId: string) => {
      const book = new ExcelJS.Workbook()
      await book.xlsx.readFile(path.join(outDir, "2023-09-05", "sellers", sellerFileName(sellerId)))
      return book
    }

    it("writes one file per seller with open orders, and none for a seller without", () => {
      expect(fs.readdirSync(path.join(outDir, "2023-09-05", "sellers")).sort()).toEqual(["S104233.xlsx", "S106340.xlsx"])
    })

    it("holds exactly that seller's awaited and short orders, with items and counts, under a heading to send as is", async () => {
      const aozoraBook = await sellerBook("S104233")
      const rows = rowsOf(aozoraBook.worksheets[0]!)
      expect(rows[0]).toEqual(["サークル青空 様（頒布者ID S104233）"])
      expect(String(rows[1]![0])).toContain("ご注文が 1 件あります（2023年9月5日 現在）")
      const header = rows.findIndex((r) => r[0] === "注文ID")
      expect(rows.slice(header)).toEqual([
        ["注文ID", "注文日", "状況", "商品ID", "商品名", "数量"],
        ["PS-00000003", new Date("2023-08-10T00:00:00Z"), "一部未着（受領 1 / 注文 3 点）", "I3", "缶バッジ", 3]
      ])
      const nekomataRows = rowsOf((await sellerBook("S106340")).worksheets[0]!)
      expect(nekomataRows.slice(nekomataRows.findIndex((r) => r[0] === "注文ID") + 1).map((r) => r.slice(0, 6))).toEqual([
        ["PS-00000005", new Date("2023-08-10T00:00:00Z"), "未着", "N1", "ラバーストラップ", 1],
        ["PS-00000005", new Date("2023-08-10T00:00:00Z"), "未着", "N2", "クリアファイル", 2],
        ["PS-00000006", new Date("2023-08-10T00:00:00Z"), "未着", "N1", "ラバーストラップ", 1]
      ])
    })

    it("says nothing about buyers, addresses or other sellers", async () => {
      for (const [sellerId, other] of [["S104233", ["S106340", "ねこまた堂"]], ["S106340", ["S104233", "サークル青空"]]] as const) {
        const text = (await sellerBook(sellerId)).worksheets.map(textOf).join("\n")
        for (const value of [...personal, ...other, "B2023311", "東京都", "渋谷区"]) expect(text, `${sellerId} shows ${value}`).not.toContain(value)
      }
    })
  })
})
