// Lean outputs at scale: each side's complete findings go to a CSV beside its workbook
// (the Findings columns, UTF-8 with BOM, owner-only), and a sheet past the row cap keeps
// its errors and warnings, counts the info findings by code and names that CSV. The cap
// is injected small here; the default is 100,000.
import { Effect, Logger, LogLevel, Stream } from "effect"
import ExcelJS from "exceljs"
import Papa from "papaparse"
import * as fs from "node:fs"
import * as path from "node:path"
import { PassThrough } from "node:stream"
import { beforeAll, describe, expect, it } from "vitest"
import { appLayer } from "../../src/App.ts"
import { writeFindingsCsv } from "../../src/Report/FindingsCsv.ts"
import { Run } from "../../src/Run/Run.ts"
import type { FindingRow } from "../../src/Store/FindingsStore.ts"
import { tempDir } from "../support/inbox.ts"
import { createTestDatabase, databaseLayer, query } from "../support/testDatabase.ts"

const sampleDir = path.resolve(import.meta.dirname, "../../fixtures/sample")
const asOf = "2023-09-05"
const header = [
  "コード (code)", "重要度 (severity)", "対象ID (subject_id)", "関連ID (related_id)", "内容 (detail)", "初回検出 (first_seen)", "状態 (status)",
  "対応者", "対応日", "メモ"
]
const severityLabel: Record<string, string> = { error: "エラー", warning: "警告", info: "情報" }

const runWithCap = async (url: string, outDir: string, sheetRowCap?: number) =>
  Effect.runPromise(
    Effect.flatMap(Run, (run) => run.run({ inbox: sampleDir, outDir, asOf })).pipe(
      Effect.provide(appLayer(databaseLayer(url), sheetRowCap === undefined ? undefined : { sheetRowCap })),
      Effect.scoped,
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
  )

type Cell = ExcelJS.CellValue
const rowsOf = (sheet: ExcelJS.Worksheet): Array<Array<Cell>> => {
  const rows: Array<Array<Cell>> = []
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = (row.values as Array<Cell>).slice(1)
  })
  return Array.from(rows, (r) => r ?? [])
}
const readWorkbook = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  return workbook
}

const readCsv = (file: string) => {
  const bytes = fs.readFileSync(file)
  const parsed = Papa.parse<Array<string>>(bytes.subarray(3).toString("utf8"), { newline: "\r\n", skipEmptyLines: true })
  return { bom: bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), rows: parsed.data, errors: parsed.errors }
}

interface Stored { readonly code: string; readonly severity: string; readonly subject_id: string; readonly related_id: string; readonly side: string }
const storedFindings = (url: string) =>
  query<Stored>(url, "SELECT code, severity, subject_id, related_id, side FROM findings WHERE closed_on IS NULL")
const identity = (code: unknown, subject: unknown, related: unknown) => `${String(code)}|${String(subject)}|${String(related ?? "")}`
const ofSide = (findings: ReadonlyArray<Stored>, side: "shipping" | "payout") => findings.filter((f) => f.side === side || f.side === "input")

describe("the findings CSVs", () => {
  let url: string
  let folder: string
  let stored: ReadonlyArray<Stored>
  beforeAll(async () => {
    url = await createTestDatabase()
    const out = tempDir()
    await runWithCap(url, out)
    folder = path.join(out, asOf)
    stored = await storedFindings(url)
  })

  it("hold every finding of their side, with the Findings sheet's header, as UTF-8 with BOM", async () => {
    for (const [file, side] of [["shipping_findings.csv", "shipping"], ["finance_findings.csv", "payout"]] as const) {
      const csv = readCsv(path.join(folder, file))
      expect(csv.bom, file).toBe(true)
      expect(csv.errors, file).toEqual([])
      expect(csv.rows[0], file).toEqual(header)
      const expected = ofSide(stored, side)
      expect(expected.length, file).toBeGreaterThan(3)
      expect(csv.rows.slice(1).map((r) => identity(r[0], r[2], r[3])).sort(), file)
        .toEqual(expected.map((f) => identity(f.code, f.subject_id, f.related_id)).sort())
      for (const row of csv.rows.slice(1)) {
        const finding = expected.find((f) => identity(f.code, f.subject_id, f.related_id) === identity(row[0], row[2], row[3]))!
        expect(row[1]).toBe(severityLabel[finding.severity])
        expect(row[5]).toBe(asOf)
        expect(row[6]).toBe("新規")
      }
    }
  })

  it("list the same findings, in the same order, as an uncapped Findings sheet", async () => {
    for (const side of ["shipping", "finance"] as const) {
      const sheet = (await readWorkbook(path.join(folder, `${side}.xlsx`))).getWorksheet("Findings")!
      const onSheet = rowsOf(sheet).slice(1).map((r) => identity(r[0], r[2], r[3]))
      const inCsv = readCsv(path.join(folder, `${side}_findings.csv`)).rows.slice(1).map((r) => identity(r[0], r[2], r[3]))
      expect(inCsv).toEqual(onSheet)
    }
  })

  it("are owner-only, like the workbooks", () => {
    for (const file of ["shipping_findings.csv", "finance_findings.csv"]) {
      expect(fs.statSync(path.join(folder, file)).mode & 0o777, file).toBe(0o600)
    }
    expect(fs.readdirSync(folder).filter((name) => name.endsWith(".partial"))).toEqual([])
  })

  it("quote formula-like text so a spreadsheet shows it as text, and keep the rest as it is", async () => {
    const finding = (subject: string, detail: string): FindingRow => ({
      code: "SHIP_UNKNOWN_ORDER", severity: "error", subject_id: subject, related_id: "", detail, first_seen: asOf,
      status: "新規", resolved_by: null, resolution_note: null, resolved_at: null, resolved_on: null
    })
    const rows = [
      finding("=HYPERLINK(\"http://x\",\"y\")", "+81-3"),
      finding("@SUM(A1)", "-1+2"),
      finding("\tcmd", "注文 PS-00000001, 点数 \"2\"\r\n次の行"),
      finding("a=b", "1-2")
    ]
    const stream = new PassThrough()
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    const written = await Effect.runPromise(writeFindingsCsv(stream, Stream.fromIterable(rows)))
    expect(written).toBe(4)
    const parsed = Papa.parse<Array<string>>(Buffer.concat(chunks).subarray(3).toString("utf8"), { newline: "\r\n" }).data
    expect(parsed.slice(1, 5).map((r) => [r[2], r[4]])).toEqual([
      ["'=HYPERLINK(\"http://x\",\"y\")", "'+81-3"],
      ["'@SUM(A1)", "'-1+2"],
      ["'\tcmd", "注文 PS-00000001, 点数 \"2\"\r\n次の行"],
      ["a=b", "1-2"]
    ])
  })
})

describe("a sheet past the row cap", () => {
  const cap = 2
  let folder: string
  let stored: ReadonlyArray<Stored>
  let shipping: ExcelJS.Workbook
  let finance: ExcelJS.Workbook
  beforeAll(async () => {
    const url = await createTestDatabase()
    const out = tempDir()
    await runWithCap(url, out, cap)
    folder = path.join(out, asOf)
    stored = await storedFindings(url)
    shipping = await readWorkbook(path.join(folder, "shipping.xlsx"))
    finance = await readWorkbook(path.join(folder, "finance.xlsx"))
  })
  const count = (code: string) => stored.filter((f) => f.code === code).length

  it("keeps on Findings the errors and warnings, under lines that count the info findings by code and name the CSV", () => {
    for (const [workbook, side, csv] of [[shipping, "shipping", "shipping_findings.csv"], [finance, "payout", "finance_findings.csv"]] as const) {
      const rows = rowsOf(workbook.getWorksheet("Findings")!)
      const all = ofSide(stored, side)
      const info = all.filter((f) => f.severity === "info")
      expect(info.length, side).toBeGreaterThan(0)
      expect(String(rows[0]![0])).toContain(`指摘が ${all.length} 件あり、上限の ${cap} 行を超える`)
      expect(String(rows[1]![0])).toContain(`情報の指摘 ${info.length} 件`)
      expect(String(rows[1]![0])).toContain(csv)
      for (const code of new Set(info.map((f) => f.code))) expect(String(rows[1]![0])).toContain(`${code} ${count(code)} 件`)
      expect(rows[3]).toEqual(header)
      expect(rows.slice(4).map((r) => identity(r[0], r[2], r[3])).sort())
        .toEqual(all.filter((f) => f.severity !== "info").map((f) => identity(f.code, f.subject_id, f.related_id)).sort())
      const sheet = workbook.getWorksheet("Findings")!
      expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 4 })
      expect(sheet.pageSetup.printTitlesRow).toBe("4:4")
    }
  })

  it("lists no row on an info worklist past the cap, and says how many and where they are", () => {
    expect(count("PAY_MATCHED")).toBeGreaterThan(cap)
    const matched = rowsOf(finance.getWorksheet("照合済")!)
    expect(String(matched[0]![0])).toContain(`照合済: ${count("PAY_MATCHED")} 件あり`)
    expect(String(matched[1]![0])).toContain("finance_findings.csv")
    expect(matched.slice(3).length).toBe(1) // the header row only
    const awaiting = count("SHIP_AWAITING_PARCEL")
    const awaitingRows = rowsOf(shipping.getWorksheet("未着注文")!)
    if (awaiting > cap) expect(String(awaitingRows[0]![0])).toContain(`未着注文: ${awaiting} 件あり`)
    else expect(awaitingRows[0]![0]).toBe("頒布者ID")
  })

  it("keeps on 再発送リスト past the cap only the overdue orders (至急), and counts the rest", () => {
    expect(count("SHIP_READY")).toBeGreaterThan(cap)
    const overdue = stored.filter((f) => f.code === "SHIP_NOT_RESHIPPED").map((f) => f.subject_id).sort()
    expect(overdue.length).toBeGreaterThan(0)
    const rows = rowsOf(shipping.getWorksheet("再発送リスト")!)
    expect(String(rows[0]![0])).toContain(`再発送リスト: ${count("SHIP_READY")} 件あり`)
    expect(String(rows[0]![0])).toContain(`至急（3営業日以上待っている）${overdue.length} 件だけ`)
    expect(String(rows[1]![0])).toContain("shipping_findings.csv")
    expect(rows[3]![0]).toBe("至急")
    expect(rows.slice(4).map((r) => r[0])).toEqual(overdue.map(() => "至急"))
    expect(rows.slice(4).map((r) => String(r[2])).sort()).toEqual(overdue)
  })

  it("keeps a list within the cap whole, with its header on the first row", () => {
    const orphans = rowsOf(finance.getWorksheet("孤立振込")!)
    expect(orphans[0]![0]).toBe("振込ID")
    expect(orphans.length - 1).toBe(count("PAY_ORPHAN_TRANSFER"))
  })

  it("is named on the summary sheet, with the CSV that holds every finding", () => {
    const summary = rowsOf(finance.getWorksheet("サマリー")!)
    const row = (label: string) => summary.find((r) => r[0] === label)
    expect(row("finance_findings.csv")?.slice(0, 2)).toEqual(["finance_findings.csv", ofSide(stored, "payout").length])
    expect(String(row("Findings")?.[2])).toContain("エラーと警告だけ")
    expect(String(row("照合済")?.[2])).toContain(`PAY_MATCHED ${count("PAY_MATCHED")} 件`)
    const shippingSummary = rowsOf(shipping.getWorksheet("サマリー")!)
    expect(shippingSummary.find((r) => r[0] === "shipping_findings.csv")?.slice(0, 2))
      .toEqual(["shipping_findings.csv", ofSide(stored, "shipping").length])
  })

  it("still writes the complete CSVs", () => {
    expect(readCsv(path.join(folder, "finance_findings.csv")).rows.length - 1).toBe(ofSide(stored, "payout").length)
    expect(readCsv(path.join(folder, "shipping_findings.csv")).rows.length - 1).toBe(ofSide(stored, "shipping").length)
  })
})
