// The shared cell writer: formula-like text stays text even when a cell is edited, and no
// cell exceeds Excel's 32,767 characters.
import { Effect, HashMap, Logger, Stream } from "effect"
import ExcelJS from "exceljs"
// exceljs's own zip reader, to see the quotePrefix attribute exceljs does not read back.
import JSZip from "jszip"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { fitCellText, linesNeeded, maxCellText, prepareWorkbook, type SheetSpec, writeSheet } from "../../src/Report/Sheet.ts"

interface Row { readonly text: string }
const spec: SheetSpec<Row> = { name: "Test", columns: [{ header: "内容", width: 40, kind: "text", wrap: true, value: (r) => r.text }] }

const write = async (rows: ReadonlyArray<Row>) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-cells-")), "t.xlsx")
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false })
  prepareWorkbook(workbook)
  await Effect.runPromise(writeSheet(workbook, spec, Stream.fromIterable(rows)))
  await workbook.commit()
  return file
}

describe("cells", () => {
  const formulaLike = ["=HYPERLINK(\"http://x\",\"y\")", "+81-3-0000", "-1+2", "@SUM(A1)", "\tcmd", "\rcmd"]
  const plain = ["注文 PS-00000001", "a=b", "1-2"]

  it("gives formula-like text the quote prefix and keeps the text itself unchanged", async () => {
    const file = await write([...formulaLike, ...plain].map((text) => ({ text })))
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(file)
    const sheet = book.getWorksheet("Test")!
    const values = [...formulaLike, ...plain].map((_, i) => sheet.getRow(i + 2).getCell(1))
    values.forEach((cell, i) => {
      expect(cell.type).toBe(ExcelJS.ValueType.String)
      // XML readers normalise a bare CR to LF; the cell is still text.
      expect(cell.value).toBe([...formulaLike, ...plain][i]!.replace(/\r/g, "\n"))
    })
    const zip = await JSZip.loadAsync(fs.readFileSync(file))
    const styles = await zip.file("xl/styles.xml")!.async("string")
    const xfs = [...styles.replace(/<cellStyleXfs.*?<\/cellStyleXfs>/s, "").matchAll(/<xf [^>]*>/g)].map((m) => m[0])
    const sheetXml = await zip.file("xl/worksheets/sheet1.xml")!.async("string")
    const styleOf = (row: number) => Number(new RegExp(`<c r="A${row}"[^>]* s="(\\d+)"`).exec(sheetXml)![1])
    formulaLike.forEach((_, i) => expect(xfs[styleOf(i + 2)], formulaLike[i]).toContain('quotePrefix="1"'))
    plain.forEach((_, i) => expect(xfs[styleOf(formulaLike.length + i + 2)], plain[i]).not.toContain("quotePrefix"))
  })

  it("cuts text over 32,767 characters with a visible marker, never inside a surrogate pair", async () => {
    const long = "あ".repeat(40_000)
    const cut = fitCellText(long)
    expect(cut.length).toBeLessThanOrEqual(maxCellText)
    expect(cut).toMatch(/…（以下 \d+ 文字省略）$/)
    expect(fitCellText("a".repeat(maxCellText))).toBe("a".repeat(maxCellText))
    const emoji = fitCellText("😀".repeat(20_000))
    expect(emoji.replace(/…（以下 \d+ 文字省略）$/, "")).toMatch(/^(😀)+$/)
    const file = await write([{ text: "x".repeat(3_500_000) }])
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(file)
    const value = String(book.getWorksheet("Test")!.getRow(2).getCell(1).value)
    expect(value.length).toBeLessThanOrEqual(maxCellText)
    expect(value).toContain(`…（以下 ${3_500_000 - value.indexOf("…")} 文字省略）`)
  })
})

describe("big sheets", () => {
  // Each sheet's XML is many times the writer's bound on XML not yet compressed, so the
  // writer waits for the zip between batches; the second sheet starts while the zip may
  // still be busy with the first.
  it("keep every row, in order, in every sheet, when the writer waits for the zip", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-cells-")), "t.xlsx")
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false })
    prepareWorkbook(workbook)
    const rows = 20_000
    const text = (sheet: number, i: number) => `${sheet}-${i} ${"受付番号 PS-00000001 の荷物".repeat(20)}`
    for (const sheet of [1, 2]) {
      const written = await Effect.runPromise(writeSheet(
        workbook,
        { ...spec, name: `Big${sheet}` },
        Stream.range(0, rows - 1, 128).pipe(Stream.map((i) => ({ text: text(sheet, i) })))
      ))
      expect(written).toBe(rows)
    }
    await workbook.commit()
    const book = new ExcelJS.Workbook()
    await book.xlsx.readFile(file)
    for (const sheet of [1, 2]) {
      const read = book.getWorksheet(`Big${sheet}`)!
      expect(read.rowCount).toBe(rows + 1)
      for (const i of [0, 1, 4_321, rows - 1]) expect(read.getRow(i + 2).getCell(1).value).toBe(text(sheet, i))
    }
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  })
})

describe("row heights", () => {
  it("gives a Japanese label that fits its column one line: Japanese breaks anywhere, so no word-break allowance", () => {
    // The サマリー's 作業リスト: 15 and 14 full-width characters in a 26-unit column print
    // on one line in LibreOffice; they were given two lines' height.
    expect(linesNeeded("頒布者ごとの一覧（新規・変更）", 26)).toBe(1)
    expect(linesNeeded("頒布者ごとの一覧（引き継ぎ）", 26)).toBe(1)
    expect(linesNeeded("頒布者ごとの一覧（新規・変更）の控え", 26)).toBe(2)
  })

  it("keeps the allowance for Latin text, whose lines break between words", () => {
    // 26 lower-case letters and spaces: 23.4 units measured, 26.3 with the allowance.
    const words = "abcde fghij klmno pqrst uv"
    expect(linesNeeded(words, 26)).toBe(2)
    expect(linesNeeded(words, 28)).toBe(1)
  })

  it("gives a code with nowhere to break between words one line when it fits: it would break inside itself anyway", () => {
    // 23 capitals and 3 underscores: 28 units, which a 29-unit column holds.
    expect(linesNeeded("SHIP_RESHIP_WITHOUT_INTAKE", 29)).toBe(1)
    expect(linesNeeded("SHIP_RESHIP_WITHOUT_INTAKE", 26)).toBe(2)
  })

  it("counts a line of Japanese that wraps as losing up to one character at each break", () => {
    // 40 full-width characters = 66 units; 33 units hold 19 characters a line at worst: 3 lines.
    expect(linesNeeded("あ".repeat(40), 33.6)).toBe(3)
    expect(linesNeeded("あ".repeat(20), 33.6)).toBe(1)
    expect(linesNeeded("あ".repeat(10) + "\n" + "い".repeat(10), 33.6)).toBe(2)
  })
})

describe("sheet timing", () => {
  it("logs each sheet's name, rows and seconds, which the bench prints under its file", async () => {
    const logged: Array<{ message: unknown; annotations: Record<string, unknown> }> = []
    const capture = Logger.make(({ annotations, message }) => {
      logged.push({ message: Array.isArray(message) ? message[0] : message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
    })
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "keshikomi-cells-")), "t.xlsx")
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false })
    prepareWorkbook(workbook)
    const written = await Effect.runPromise(writeSheet(workbook, spec, Stream.fromIterable([{ text: "a" }, { text: "b" }, { text: "c" }])).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, capture))
    ))
    await workbook.commit()
    expect(written).toBe(3)
    const timing = logged.filter((l) => l.message === "sheet written")
    expect(timing).toHaveLength(1)
    expect(timing[0]!.annotations).toMatchObject({ sheet: "Test", rows: 3 })
    expect(timing[0]!.annotations.seconds).toBeGreaterThanOrEqual(0)
  })
})
