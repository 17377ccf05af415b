// The seller lists' workbooks without an exceljs writer per file. A run writes tens of
// thousands of them (37,772 at 1M), a few KB each, and exceljs's writer costs about 6 ms
// a file whatever it holds: styles, theme and the other fixed parts rendered anew, a zlib
// stream per part. Here exceljs renders the first list of each kind (see `rowsOf`) with
// the real writer, and that file becomes the template: its fixed parts are kept as they
// were deflated, and the parts that differ between sellers (the sheet, the print area in
// workbook.xml, the time in docProps/core.xml) are cut where the seller's values go. Every
// other list of that kind is that template with its own values, the sheet's rows built by
// Sheet.makeRowsXml (the code exceljs's path uses), deflated in one call and zipped here
// (Zip.ts). A template is only used once filling it with the first list's own values
// gives back exceljs's parts byte for byte; otherwise every list of that kind is written
// by exceljs.
import type ExcelJS from "exceljs"
import { Effect } from "effect"
import { Writable } from "node:stream"
import type { SellerOpenRow } from "../Store/ShippingQueries.ts"
import { sellerHeading, sellerSheet } from "./SellerLists.ts"
import {
  columnLetter,
  fitCellText,
  makeRowsXml,
  makeStyleIds,
  sheetColumns,
  type StyleIds,
  type StylesRegistry,
  stylesOf,
  workbookZipLevel,
  xmlText
} from "./Sheet.ts"
import { deflatedEntry, entryContent, readZipEntries, type ZipEntry, zipFile } from "./Zip.ts"

/** Writes one seller's list with exceljs (the real writer) into `stream`; yields the workbook, committed. */
export type RenderSellerList<E> = (
  rows: ReadonlyArray<SellerOpenRow>,
  stream: Writable
) => Effect.Effect<ExcelJS.stream.xlsx.WorkbookWriter, E>

const sheetPart = "xl/worksheets/sheet1.xml"
const workbookPart = "xl/workbook.xml"
const corePart = "docProps/core.xml"

/** A part's text cut where a seller's values go: pieces[0] + value(slots[0]) + pieces[1] + … */
interface Cut {
  readonly pieces: ReadonlyArray<string>
  readonly slots: ReadonlyArray<string>
}

interface Needle {
  readonly slot: string
  /** Text around the value that must be there, so a value is never found at the wrong place. */
  readonly before: string
  readonly value: string
  readonly after: string
}

/** Cuts `text` at each needle, searched in order; undefined when one is not found. */
const cutAt = (text: string, needles: ReadonlyArray<Needle>): Cut | undefined => {
  const pieces: Array<string> = []
  let from = 0
  for (const needle of needles) {
    const at = text.indexOf(needle.before + needle.value + needle.after, from)
    if (at < 0) return undefined
    pieces.push(text.slice(from, at + needle.before.length))
    from = at + needle.before.length + needle.value.length
  }
  pieces.push(text.slice(from))
  return { pieces, slots: needles.map((n) => n.slot) }
}

const fill = (cut: Cut, values: Readonly<Record<string, string>>) => {
  let text = cut.pieces[0]!
  for (let i = 0; i < cut.slots.length; i++) text += values[cut.slots[i]!]! + cut.pieces[i + 1]!
  return text
}

// exceljs's W3CDTF time in docProps/core.xml (core-xform.js): ISO 8601 without milliseconds.
const coreTime = (date: Date) => date.toISOString().replace(/[.]\d{3}/, "")

interface Template {
  /** The kind it serves (`rowsOf`), and the looks that kind uses: the only ones its styleIds are asked for. */
  readonly kind: string
  readonly looks: ReadonlySet<number>
  /** The parts in exceljs's order: fixed ones as deflated, the others by name. */
  readonly parts: ReadonlyArray<ZipEntry | typeof sheetPart | typeof workbookPart | typeof corePart>
  readonly sheet: Cut
  readonly workbook: Cut
  readonly core: Cut
  readonly styleIds: StyleIds
}

const columns = sheetColumns(sellerSheet)
const lastColumn = columnLetter(columns.length - 1)
const lastPrinted = columnLetter(columns.filter((c) => c.print !== false).length - 1)
// A list is always far below Excel's row limit; one past this is left to exceljs, which
// alone writes the row that says how many were left out.
const maxFastRows = 100_000

const headingOf = (rows: ReadonlyArray<SellerOpenRow>, asOf: string) => sellerHeading(rows, asOf).map((line) => xmlText(fitCellText(line)))

// A look as a small number (it is asked for every cell): column, severity, bold, quoted.
const severities: Record<string, number> = { error: 0, warning: 1, info: 2 }
const lookOf = (index: number, severity: string, bold: boolean, quoted: boolean) =>
  ((index * 3 + severities[severity]!) * 2 + (bold ? 1 : 0)) * 2 + (quoted ? 1 : 0)

/**
 * A list's rows as the sheet's XML, and its kind: what decides exceljs's style ids and so
 * its styles.xml. exceljs numbers a cell style when first used, so the order in which a
 * list first uses each look (a formula-like value gets the quote prefix) decides the ids;
 * also the heading's length (the header row's place). The XML is built with `template`'s
 * style ids, and only kept when the list is of that template's kind (most lists of a run
 * are of one kind: one pass); a look the template does not use never reaches its ids.
 * No XML either when a page break or a left-out row would be needed (exceljs only).
 */
const rowsOf = (
  rows: ReadonlyArray<SellerOpenRow>,
  headerRow: number,
  template: { readonly kind: string; readonly looks: ReadonlySet<number>; readonly styleIds: StyleIds } | undefined
) => {
  const seen = new Set<number>()
  const order: Array<number> = []
  let foreign = template === undefined
  const breaks: Array<{ id: number; max: number; man: number }> = []
  const rowsXml = makeRowsXml(sellerSheet, columns, headerRow, (index, severity, bold, quoted) => {
    const look = lookOf(index, severity, bold, quoted)
    if (!seen.has(look)) {
      seen.add(look)
      order.push(look)
    }
    if (template === undefined || !template.looks.has(look)) {
      foreign = true
      return 0
    }
    return template.styleIds(index, severity, bold, quoted)
  }, breaks)
  for (const row of rows) rowsXml.add(row)
  const kind = `${headerRow}|${order.join(",")}`
  const fits = !foreign && kind === template?.kind && breaks.length === 0 && rowsXml.leftOut === 0
  return { kind, looks: seen, body: fits ? { xml: rowsXml.take(), written: rowsXml.written } : undefined }
}

/** Collects what is written into one Buffer. */
const collect = () => {
  const chunks: Array<Buffer> = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk)
      done()
    }
  })
  return { stream, bytes: () => Buffer.concat(chunks) }
}

export interface SellerListWriterStats {
  /** Lists written from a template. */
  readonly fromTemplate: number
  /** Lists written by exceljs: each kind's first, and any kind whose template did not check out. */
  readonly byExcelJS: number
  readonly templates: number
  /** Kinds whose template did not give back exceljs's parts (always 0 unless exceljs's output changed): exceljs writes them. */
  readonly refused: number
}

/**
 * A writer of one run's seller lists (`asOf` and the workbook's title and keywords, set
 * by `render`, are the same for every list of the run): `bytes(rows)` is the .xlsx file.
 */
export const makeSellerListWriter = <E>(asOf: string, render: RenderSellerList<E>) => {
  const templates = new Map<string, Template | "exceljs">()
  const stats = { fromTemplate: 0, byExcelJS: 0, templates: 0, refused: 0 }
  // Few distinct values per run: the last row (print area) and the second (core.xml).
  const workbookEntries = new Map<string, ZipEntry>()
  let coreEntry: { readonly key: string; readonly entry: ZipEntry } | undefined

  const fromTemplate = (template: Template, body: { readonly xml: string; readonly written: number }, heading: ReadonlyArray<string>, now: Date) => {
    const headerRow = heading.length + 2
    const last = String(headerRow + body.written)
    const values: Record<string, string> = { rows: body.xml, last }
    heading.forEach((line, i) => (values[`heading${i}`] = line))
    const time = coreTime(now)
    let workbook = workbookEntries.get(last)
    if (workbook === undefined) {
      workbook = deflatedEntry(workbookPart, Buffer.from(fill(template.workbook, values)), workbookZipLevel)
      workbookEntries.set(last, workbook)
    }
    if (coreEntry?.key !== time) {
      coreEntry = { key: time, entry: deflatedEntry(corePart, Buffer.from(fill(template.core, { time })), workbookZipLevel) }
    }
    const core = coreEntry.entry
    const sheet = deflatedEntry(sheetPart, Buffer.from(fill(template.sheet, values)), workbookZipLevel)
    const entries = template.parts.map((part) =>
      part === sheetPart ? sheet : part === workbookPart ? workbook : part === corePart ? core : part
    )
    return zipFile(entries, now)
  }

  /** The template made from exceljs's file for `rows`, if filling it with their values gives back that file's parts. */
  const templateOf = (
    file: Buffer,
    registry: StylesRegistry,
    rows: ReadonlyArray<SellerOpenRow>,
    heading: ReadonlyArray<string>
  ): Template | undefined => {
    const headerRow = heading.length + 2
    // exceljs has just registered every look of these rows: asking again adds none.
    const registered = registry.model.styles.length
    const ownIds = makeStyleIds(columns, registry)
    const { kind, looks } = rowsOf(rows, headerRow, undefined)
    const body = rowsOf(rows, headerRow, { kind, looks, styleIds: ownIds }).body
    if (body === undefined || registry.model.styles.length !== registered) return undefined
    const entries = readZipEntries(file)
    const text = (name: string) => {
      const entry = entries.find((e) => e.name === name)
      return entry === undefined ? undefined : entryContent(entry).toString("utf8")
    }
    const sheetXml = text(sheetPart)
    const workbookXml = text(workbookPart)
    const coreXml = text(corePart)
    if (sheetXml === undefined || workbookXml === undefined || coreXml === undefined) return undefined
    const last = String(headerRow + body.written)
    // The parts as text are decoded from UTF-8, where a lone surrogate became U+FFFD: so
    // are the values searched for (the file gets the same bytes either way).
    const decoded = (text: string) => Buffer.from(text).toString("utf8")
    const sheet = cutAt(sheetXml, [
      ...heading.map((line, i) => ({ slot: `heading${i}`, before: "<v>", value: decoded(line), after: "</v>" })),
      { slot: "rows", before: "", value: decoded(body.xml), after: "</sheetData>" },
      { slot: "last", before: `<autoFilter ref="A${headerRow}:${lastColumn}`, value: last, after: "\"/>" }
    ])
    const workbook = cutAt(workbookXml, [{ slot: "last", before: `:$${lastPrinted}$`, value: last, after: "</definedName>" }])
    const time = /<dcterms:created xsi:type="dcterms:W3CDTF">([^<]+)</.exec(coreXml)?.[1]
    const core = time === undefined
      ? undefined
      : cutAt(coreXml, [
        { slot: "time", before: ">", value: time, after: "</dcterms:created>" },
        { slot: "time", before: ">", value: time, after: "</dcterms:modified>" }
      ])
    if (sheet === undefined || workbook === undefined || core === undefined || time === undefined) return undefined
    const values: Record<string, string> = { rows: decoded(body.xml), last, time }
    heading.forEach((line, i) => (values[`heading${i}`] = decoded(line)))
    if (fill(sheet, values) !== sheetXml || fill(workbook, values) !== workbookXml || fill(core, values) !== coreXml) {
      return undefined
    }
    const varying = new Set<string>([sheetPart, workbookPart, corePart])
    return {
      kind,
      looks,
      parts: entries.map((e) => (varying.has(e.name) ? e.name as typeof sheetPart : { ...e, data: Buffer.from(e.data) })),
      sheet,
      workbook,
      core,
      styleIds: ownIds
    }
  }

  const byExcelJS = (rows: ReadonlyArray<SellerOpenRow>) =>
    Effect.gen(function*() {
      const sink = collect()
      const workbook = yield* render(rows, sink.stream)
      stats.byExcelJS++
      return { file: sink.bytes(), registry: stylesOf(workbook) }
    })

  // The template the last list was filled in from: the next one is most likely of its kind.
  let lastUsed: Template | undefined

  const bytes = (rows: ReadonlyArray<SellerOpenRow>): Effect.Effect<Buffer, E> =>
    Effect.suspend(() => {
      const heading = headingOf(rows, asOf)
      const headerRow = heading.length + 2
      if (rows.length > maxFastRows) return Effect.map(byExcelJS(rows), (r) => r.file)
      let { body, kind } = rowsOf(rows, headerRow, lastUsed)
      let template = body === undefined ? undefined : lastUsed
      if (template === undefined) {
        const known = templates.get(kind)
        if (known === undefined) {
          return Effect.map(byExcelJS(rows), ({ file, registry }) => {
            const made = templateOf(file, registry, rows, heading)
            if (made === undefined) stats.refused++
            else stats.templates++
            templates.set(kind, made ?? "exceljs")
            return file
          })
        }
        if (known === "exceljs") return Effect.map(byExcelJS(rows), (r) => r.file)
        body = rowsOf(rows, headerRow, known).body
        // Of the template's kind by construction; only a page break or a left-out row is not.
        if (body === undefined) return Effect.map(byExcelJS(rows), (r) => r.file)
        template = known
      }
      lastUsed = template
      stats.fromTemplate++
      return Effect.succeed(fromTemplate(template, body!, heading, new Date()))
    })

  return { bytes, stats: (): SellerListWriterStats => ({ ...stats }) }
}
