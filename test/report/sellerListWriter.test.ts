// The seller lists' template writer (SellerListWriter.ts) against exceljs's writer, the
// reference (writeSellerSheet on a WorkbookWriter, as every list was written before):
// for seeded random lists with hostile text, every part of the two files is the same,
// byte for byte, but for the time in docProps/core.xml (each file says when it was
// written); the file reads back with exceljs and with Python's zipfile and XML parser.
import ExcelJS from "exceljs"
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { Writable } from "node:stream"
import { describe, expect, it } from "vitest"
import { makeSellerListWriter } from "../../src/Report/SellerListWriter.ts"
import { writeSellerSheet } from "../../src/Report/SellerLists.ts"
import { newReportWorkbook } from "../../src/Report/Sheet.ts"
import { entryContent, readZipEntries } from "../../src/Report/Zip.ts"
import type { SellerOpenRow } from "../../src/Store/ShippingQueries.ts"
import { tempDir } from "../support/inbox.ts"

const asOf = "2023-09-05"

// The reference: exceljs's writer, set up as Reports.ts sets up a seller list.
const render = (rows: ReadonlyArray<SellerOpenRow>, stream: Writable) =>
  Effect.gen(function*() {
    const workbook = newReportWorkbook({ stream }, { title: "未着のご注文", keywords: `keshikomi seller as_of=${asOf} run=7`, asOf })
    yield* writeSellerSheet(workbook, rows, asOf)
    yield* Effect.promise(() => workbook.commit())
    return workbook
  })

const byExcelJS = (rows: ReadonlyArray<SellerOpenRow>) =>
  Effect.runPromise(Effect.gen(function*() {
    const chunks: Array<Buffer> = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk)
        done()
      }
    })
    yield* render(rows, stream)
    return Buffer.concat(chunks)
  }))

// Seeded, so a failure can be replayed.
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const hostile = [
  "a&b<c>d\"e'f",
  "制御\u0001\u0002\u0008\u000b\u000c\u000e\u001f文字\ttab\nnewline\rcr",
  "lone \ud800 high and \udc00 low",
  "絵文字 👍🏽 👨‍👩‍👧 🀄",
  "=SUM(A1:A9)",
  "+81 3 0000",
  "-1",
  "@import",
  "\t=tab first",
  "",
  "x".repeat(32_767),
  "長".repeat(40_000),
  "]]><![CDATA[",
  "&amp; already escaped &#x1;",
  "   spaces around   "
]

const listOf = (next: () => number, seller: number, rowCount: number, hostileShare: number): ReadonlyArray<SellerOpenRow> => {
  const pick = <A>(xs: ReadonlyArray<A>) => xs[Math.floor(next() * xs.length)]!
  const text = (plain: string) => (next() < hostileShare ? pick(hostile) : plain)
  const circle = text(`サークル${seller}`)
  return Array.from({ length: rowCount }, (_, k) => {
    const orderedQty = 1 + Math.floor(next() * 5)
    return {
      seller_id: `S${100000 + seller}`,
      circle_name: circle,
      order_id: next() < hostileShare / 4 ? pick(["=HYPERLINK(\"x\")", "-PS-1", "@PS"]) : `PS-${String(seller * 1000 + Math.floor(k / 2)).padStart(8, "0")}`,
      ordered_on: `2023-0${1 + Math.floor(next() * 8)}-1${Math.floor(next() * 10)}`,
      short: next() < 0.3,
      ordered_qty: orderedQty,
      received_qty: Math.floor(next() * orderedQty),
      item_id: next() < 0.1 ? null : text(`I${k}`),
      item_name: next() < 0.05 ? null : text(`新刊${k} 総集編`),
      quantity: next() < 0.05 ? null : 1 + Math.floor(next() * 3)
    }
  })
}

const partsOf = (file: Buffer) => new Map(readZipEntries(file).map((e) => [e.name, entryContent(e)]))

// The one part that legitimately differs: docProps/core.xml says when the file was
// written (dcterms:created and dcterms:modified, to the second).
const withoutTime = (name: string, content: Buffer) =>
  name === "docProps/core.xml"
    ? Buffer.from(content.toString("utf8").replace(/(<dcterms:(created|modified) xsi:type="dcterms:W3CDTF">)[^<]+</g, "$1TIME<"))
    : content

const expectSameParts = (made: Buffer, reference: Buffer) => {
  const ours = partsOf(made)
  const theirs = partsOf(reference)
  expect([...ours.keys()]).toEqual([...theirs.keys()])
  for (const [name, content] of theirs) {
    const mine = ours.get(name)!
    if (!withoutTime(name, mine).equals(withoutTime(name, content))) {
      expect.fail(`part ${name} differs:\n${mine.toString("utf8").slice(0, 2000)}\n---\n${content.toString("utf8").slice(0, 2000)}`)
    }
  }
}

const cellsOf = async (file: Buffer) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(file as unknown as ExcelJS.Buffer)
  const sheet = workbook.worksheets[0]!
  const cells: Array<[string, unknown, string | undefined, boolean | undefined]> = []
  sheet.eachRow({ includeEmpty: true }, (row) =>
    row.eachCell({ includeEmpty: false }, (cell) => {
      const value = cell.value instanceof Date ? cell.value.toISOString() : cell.value
      cells.push([cell.address, value, cell.numFmt, cell.alignment?.wrapText])
    }))
  return { name: sheet.name, cells, title: workbook.title, keywords: workbook.keywords }
}

describe("seller list writer", () => {
  it("writes, for seeded random lists with hostile text, the parts exceljs writes, byte for byte but for core.xml's time", async () => {
    const next = random(20230905)
    const writer = makeSellerListWriter(asOf, render)
    // Lists of 1 to 40 rows, a few of 500; a third of their text hostile.
    const lists = Array.from({ length: 160 }, (_, n) =>
      listOf(next, n, n % 40 === 39 ? 500 : n % 7 === 0 ? 1 : 1 + Math.floor(next() * 40), n % 3 === 0 ? 0.3 : 0))
    let fromTemplate = 0
    for (const list of lists) {
      const before = writer.stats().fromTemplate
      const made = await Effect.runPromise(writer.bytes(list))
      if (writer.stats().fromTemplate > before) fromTemplate++
      expectSameParts(made, await byExcelJS(list))
    }
    const stats = writer.stats()
    expect(stats.refused).toBe(0)
    // Each kind's first list is exceljs's own file; all others come from its template.
    expect(stats.byExcelJS).toBe(stats.templates)
    expect(fromTemplate).toBe(lists.length - stats.templates)
    expect(fromTemplate).toBeGreaterThan(lists.length * 0.8)
  })

  it("fills a template made from a one-row list with a 500-row list of hostile text, and the file reads back the same with exceljs", async () => {
    const next = random(7)
    const writer = makeSellerListWriter(asOf, render)
    await Effect.runPromise(writer.bytes(listOf(next, 1, 1, 0)))
    const plainHostile = listOf(next, 2, 500, 1).map((r) => ({
      ...r,
      // Formula-like text first would make another kind (its own template); here it is
      // within the text, and names of 32,767+ characters, control characters and lone
      // surrogates go through the template.
      order_id: `PS-${r.order_id.length}`,
      item_id: r.item_id === null || /^[=+\-@\t\r]/.test(r.item_id) ? null : r.item_id,
      item_name: r.item_name === null ? null : `名:${r.item_name}`
    }))
    const made = await Effect.runPromise(writer.bytes(plainHostile))
    expect(writer.stats()).toMatchObject({ fromTemplate: 1, byExcelJS: 1, refused: 0 })
    const reference = await byExcelJS(plainHostile)
    expectSameParts(made, reference)
    expect(await cellsOf(made)).toEqual(await cellsOf(reference))
    const read = await cellsOf(made)
    expect(read.name).toBe("未着のご注文")
    expect(read.keywords).toBe(`keshikomi seller as_of=${asOf} run=7`)
    // Cut at Excel's limit, with the marker.
    expect(read.cells.some(([, v]) => typeof v === "string" && v.length <= 32_767 && v.length > 32_000 && v.endsWith("文字省略）"))).toBe(true)
  })

  it("writes a zip that Python's zipfile and XML parser read, with the cells' values, and unzip tests clean", async () => {
    const next = random(99)
    const writer = makeSellerListWriter(asOf, render)
    await Effect.runPromise(writer.bytes(listOf(next, 1, 3, 0)))
    const list = listOf(next, 2, 30, 0.5).map((r) => ({ ...r, circle_name: "サークル&<>\"'", order_id: `PS-${r.order_id.length}`, item_id: r.item_id === null ? null : "I", item_name: r.item_name === null ? null : `名${r.item_name}` }))
    const made = await Effect.runPromise(writer.bytes(list))
    expect(writer.stats().fromTemplate).toBe(1)
    const dir = tempDir()
    const file = path.join(dir, "list.xlsx")
    const reference = path.join(dir, "reference.xlsx")
    fs.writeFileSync(file, made)
    fs.writeFileSync(reference, await byExcelJS(list))
    try {
      expect(execFileSync("unzip", ["-t", file], { encoding: "utf8" })).toMatch(/No errors detected/)
      const script = [
        "import json, sys, zipfile, xml.etree.ElementTree as ET",
        "z = zipfile.ZipFile(sys.argv[1])",
        "assert z.testzip() is None",
        "ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}",
        "root = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))",
        "cells = {c.get('r'): c.find('m:v', ns).text for c in root.iter('{%s}c' % ns['m']) if c.find('m:v', ns) is not None}",
        "print(json.dumps({'names': z.namelist(), 'cells': cells}, ensure_ascii=False))"
      ].join("\n")
      const python = (xlsx: string) =>
        JSON.parse(execFileSync("python3", ["-c", script, xlsx], { encoding: "utf8", maxBuffer: 64 << 20 })) as {
          names: Array<string>
          cells: Record<string, string>
        }
      const read = python(file)
      expect(read).toEqual(python(reference))
      expect(read.names).toContain("xl/worksheets/sheet1.xml")
      // Row 6 is the first data row: the heading's three lines, an empty row, the header.
      list.forEach((row, i) => {
        expect(read.cells[`A${6 + i}`]).toBe(row.order_id)
        expect(read.cells[`F${6 + i}`]).toBe(row.quantity === null ? undefined : String(row.quantity))
      })
      expect(read.cells["A1"]).toBe(`${list[0]!.circle_name} 様（頒布者ID ${list[0]!.seller_id}）`)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
