// Writing one worksheet with the layout staff expect, on screen and on paper: header row
// frozen and filterable, fixed column widths, yen as #,##0, dates as real dates, errors
// and warnings shaded, one Japanese font. Printed A4 landscape at 100 %: the columns a
// reader needs come first and make the print area (sized to one page width, so the
// body stays at the font's 10 pt); the rest follow beyond it. Every page carries the
// sheet name, the as-of date and "page N / M". Rows are streamed: their XML goes into the
// sheet's zip entry a batch at a time, waiting for the zip to keep up; values are plain
// values, never formulas or links.
import ExcelJS from "exceljs"
import { Effect, Stream } from "effect"
import type { Writable } from "node:stream"
import type { Severity } from "../Domain/Finding.ts"
import { logElapsed } from "../Log.ts"

export type CellKind = "text" | "yen" | "int" | "date"

export interface Column<Row> {
  readonly header: string
  /** Width in characters; a full-width character counts as two. */
  readonly width: number
  readonly kind: CellKind
  readonly value: (row: Row) => string | number | null | undefined
  /** On paper (inside the print area); default true. Unprinted columns follow the printed ones. */
  readonly print?: boolean
  /** Long text: wrapped inside the cell instead of cut at its edge. */
  readonly wrap?: boolean
  /** Set in bold when the row is emphasised (what is new), e.g. 状態. */
  readonly emphasis?: boolean
}

export interface SheetSpec<Row> {
  readonly name: string
  readonly columns: ReadonlyArray<Column<Row>>
  /** Shades the row: errors red, warnings yellow. */
  readonly severity?: (row: Row) => Severity | undefined
  /** Emphasises the row's `emphasis` columns (bold), e.g. a finding first raised by this run. */
  readonly emphasise?: (row: Row) => boolean
  /** A page break before `row` when it starts a new group (a seller, an action). */
  readonly breakBetween?: (previous: Row, row: Row) => boolean
  /**
   * Makes the sheet a place to record decisions: adds 対応状況 (a drop-down), メモ and
   * the finding's key, which `keshikomi resolve --from-workbook` reads back.
   */
  readonly decisionKey?: (row: Row) => FindingKey
}

/** The identity of a finding, as written in a workbook's 指摘キー column. */
export interface FindingKey {
  readonly code: string
  readonly subject_id: string
  readonly related_id: string
}

export const decisionHeaders = { status: "対応状況", memo: "メモ", key: "指摘キー" } as const
export const decisionChoices = { open: "未対応", done: "対応済" } as const

export const formatFindingKey = (key: FindingKey) => [key.code, key.subject_id, key.related_id].join("|")
export const parseFindingKey = (text: string): FindingKey | undefined => {
  const [code, subject_id, ...related] = text.split("|")
  return code === undefined || subject_id === undefined || code === "" || subject_id === ""
    ? undefined
    : { code, subject_id, related_id: related.join("|") }
}

/** Severity words as staff read them, on every sheet of both workbooks. */
export const severityLabels: Record<Severity, string> = { error: "エラー", warning: "警告", info: "情報" }

// ---------------------------------------------------------------------------
// The one font. Meiryo ships with Windows and Office; family 2 (sans-serif) and
// charset 128 (Shift_JIS) make any other reader substitute a Japanese sans-serif
// (LibreOffice on Linux: Noto Sans CJK JP through fontconfig) instead of a serif.

export const fontName = "Meiryo"
export const bodyFontSize = 10
const baseFont: Partial<ExcelJS.Font> = { name: fontName, family: 2, charset: 128, size: bodyFontSize }
const boldFont: Partial<ExcelJS.Font> = { ...baseFont, bold: true }
const titleFont: Partial<ExcelJS.Font> = { ...baseFont, bold: true, size: 12 }

export interface StylesRegistry {
  _addFont: (font: Partial<ExcelJS.Font>) => number
  model: { fonts: Array<unknown>; styles: Array<string> }
  index: { style: Record<string, number> }
  weakMap?: WeakMap<object, number>
  addStyleModel: (model: Partial<ExcelJS.Style> & { quotePrefix?: boolean }, cellType?: number) => number
}

export const stylesOf = (workbook: ExcelJS.stream.xlsx.WorkbookWriter) =>
  (workbook as unknown as { styles: StylesRegistry }).styles

/**
 * Prepares a new workbook: its default font (the Normal style, font 0, which also sets
 * the unit of column widths) becomes `baseFont`, and cell styles may ask for
 * `quotePrefix`. exceljs 4 has no API for either: font 0 is whichever font is added
 * first, and its style writer drops `quotePrefix`, so the attribute is added to the
 * style's XML here. Call once, before the first sheet.
 */
export const prepareWorkbook = (workbook: ExcelJS.stream.xlsx.WorkbookWriter) => {
  const styles = stylesOf(workbook)
  if (styles.model.fonts.length === 0) styles._addFont(baseFont)
  const addStyleModel = styles.addStyleModel.bind(styles)
  styles.addStyleModel = (model, cellType) => {
    if (model?.quotePrefix !== true) return addStyleModel(model, cellType)
    const known = styles.weakMap?.get(model)
    if (known !== undefined) return known
    const { quotePrefix: _, ...plain } = model
    const xml = styles.model.styles[addStyleModel(plain, cellType)]!.replace(/^<xf /, "<xf quotePrefix=\"1\" ")
    let id = styles.index.style[xml]
    if (id === undefined) {
      id = styles.index.style[xml] = styles.model.styles.length
      styles.model.styles.push(xml)
    }
    styles.weakMap?.set(model, id)
    return id
  }
}

/**
 * The zip's deflate level for every workbook (docs/reports.md): 3, a sixth smaller than
 * archiver's default 1 for little time; 6 costs three times 1's deflate for 10 % less.
 */
export const workbookZipLevel = 3

/** A streaming workbook as every report writes it: styles, inline strings, `workbookZipLevel`. */
export const newWorkbookWriter = (target: { readonly stream: Writable } | { readonly filename: string }, level = workbookZipLevel) =>
  new ExcelJS.stream.xlsx.WorkbookWriter({ ...target, useStyles: true, useSharedStrings: false, zip: { zlib: { level } } })

/** What every page of the workbook's sheets says in its header. */
export interface PrintContext {
  readonly title: string
  readonly asOf: string
}

const printContexts = new WeakMap<ExcelJS.stream.xlsx.WorkbookWriter, PrintContext>()
export const setPrintContext = (workbook: ExcelJS.stream.xlsx.WorkbookWriter, context: PrintContext) => {
  printContexts.set(workbook, context)
}

/** What a report's workbook says of itself: its title (also on every page) and its keywords (the run's stamp). */
export interface WorkbookLabel {
  readonly title: string
  readonly keywords: string
  readonly asOf: string
}

/**
 * A report's workbook, ready for its sheets: `newWorkbookWriter`, `prepareWorkbook`,
 * creator keshikomi, and its title and keywords, also in every page's header. Every
 * report sets a workbook up this way (Reports.ts), and so do the seller lists' reference
 * in tests and the probe.
 */
export const newReportWorkbook = (target: { readonly stream: Writable }, label: WorkbookLabel, level = workbookZipLevel) => {
  const workbook = newWorkbookWriter(target, level)
  prepareWorkbook(workbook)
  workbook.creator = "keshikomi"
  workbook.title = label.title
  workbook.keywords = label.keywords
  setPrintContext(workbook, { title: label.title, asOf: label.asOf })
  return workbook
}

// Header and footer codes: &A sheet name, &P page, &N pages; "&&" is a literal "&".
const escapeHeader = (text: string) => text.replaceAll("&", "&&")
export const headerFooterOf = (context: PrintContext | undefined) => ({
  oddHeader: `&L&"${fontName},Bold"&10&A&C&"${fontName},Regular"&10${escapeHeader(context?.title ?? "")}&R&"${fontName},Regular"&10基準日 ${context?.asOf ?? ""}`,
  oddFooter: `&C&"${fontName},Regular"&10&P / &N ページ`
})

// A4 landscape is 297 mm wide; less 2 × 0.4 in margins that leaves 10.9 in, and a
// column of width w takes about 8.4 w px at 96 dpi (measured on LibreOffice's PDF). The print
// area is kept within this many width units, so the page prints at 100 %.
export const printWidthBudget = 120

const pageSetupOf = (printTitles: boolean): Partial<ExcelJS.PageSetup> => ({
  paperSize: 9, // A4
  orientation: "landscape",
  scale: 100,
  fitToPage: false,
  ...(printTitles ? { printTitlesRow: "1:1" } : {}),
  margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 }
})

// ---------------------------------------------------------------------------
// Cell values

// Excel's limit is 1,048,576 rows; the last one says how many were left out.
const maxDataRows = 1_048_576 - 2

/** Excel holds at most 32,767 characters in a cell; longer text is cut with a marker. */
export const maxCellText = 32_767
const cutMarker = (dropped: number) => `…（以下 ${dropped} 文字省略）`

export const fitCellText = (text: string): string => {
  if (text.length <= maxCellText) return text
  let keep = maxCellText - cutMarker(text.length).length
  // Never split a surrogate pair.
  const last = text.charCodeAt(keep - 1)
  if (last >= 0xd800 && last <= 0xdbff) keep--
  return text.slice(0, keep) + cutMarker(text.length - keep)
}

/**
 * Text that a spreadsheet would take for a formula (or a number) when someone edits the
 * cell: the cell gets Excel's quote prefix, exactly what typing a leading apostrophe
 * does, so it stays text even after editing (OWASP CSV injection guidance). The text
 * itself is unchanged.
 */
export const formulaLike = /^[=+\-@\t\r]/
export const looksLikeFormula = (text: string) => formulaLike.test(text)

const fills: Partial<Record<Severity, ExcelJS.Fill>> = {
  error: { type: "pattern", pattern: "solid", fgColor: { argb: "FFF8D7DA" } },
  warning: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF3CD" } }
}
const severityOrder: ReadonlyArray<Severity> = ["error", "warning", "info"]
const headerFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } }

const numberFormats: Record<CellKind, string | undefined> = {
  text: undefined,
  yen: "#,##0",
  int: "0",
  date: "yyyy/mm/dd"
}

/** `YYYY-MM-DD` → a date cell value (Excel dates carry no time zone). */
const dateCell = (value: string) => {
  const [y, m, d] = value.slice(0, 10).split("-").map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d))
}

/** 0 → A, 25 → Z, 26 → AA. */
export const columnLetter = (index: number): string =>
  index < 26 ? String.fromCharCode(65 + index) : columnLetter(Math.floor(index / 26) - 1) + String.fromCharCode(65 + (index % 26))

const isoDay = /^\d{4}-\d{2}-\d{2}/

const cellValue = (kind: CellKind, value: string | number | null | undefined): ExcelJS.CellValue => {
  if (value === null || value === undefined || value === "") return null
  if (kind === "date" && typeof value === "string") return isoDay.test(value) ? dateCell(value) : fitCellText(value)
  if (kind === "text") return fitCellText(String(value))
  return typeof value === "number" ? value : Number(value)
}

// One style object per look, shared by every cell that has it: exceljs looks styles up
// by object identity first, so shared objects spare it a serialisation per cell.
const makeStyles = () => {
  const styles = new Map<string, Partial<ExcelJS.Style>>()
  return (look: { kind: CellKind; severity: Severity; bold: boolean; wrap: boolean; quoted: boolean }) => {
    const key = `${look.kind}|${look.severity}|${look.bold}|${look.wrap}|${look.quoted}`
    let style = styles.get(key)
    if (style === undefined) {
      const numFmt = numberFormats[look.kind]
      const fill = fills[look.severity]
      style = {
        ...(numFmt === undefined ? {} : { numFmt }),
        ...(fill === undefined ? {} : { fill }),
        font: look.bold ? boldFont : baseFont,
        alignment: { vertical: "top", ...(look.wrap ? { wrapText: true } : {}) },
        ...(look.quoted ? { quotePrefix: true } : {})
      }
      styles.set(key, style)
    }
    return style
  }
}

// Headers of number and date columns are right-aligned like their values, so that a
// value always sits under its own header.
const styleHeader = (row: ExcelJS.Row, kinds: ReadonlyArray<CellKind | undefined>) =>
  row.eachCell((cell, col) => {
    // A merged cell takes its master's style; styling it would overwrite the master's.
    if (cell.type === ExcelJS.ValueType.Merge) return
    const kind = kinds[col - 1]
    cell.font = boldFont
    cell.fill = headerFill
    cell.alignment = { vertical: "middle", wrapText: true, ...(kind !== undefined && kind !== "text" ? { horizontal: "right" } : {}) }
  })

// Row heights. Neither reader reliably grows a row to fit wrapped text when it opens a
// file (LibreOffice keeps the default height), so the writer sets the height of every
// row that has a wrapped cell: the lines its text needs at the column's width.
const lineHeight = 13.5 // points per line of 10 pt Meiryo / Noto Sans CJK
const maxRowHeight = 409 // Excel's limit

// The widest character takes 1.65 units, and a string has at least as many UTF-16 units
// as characters: text shorter than width / 1.65 fits one line without measuring it.
const widestCharacter = 1.65

const wrapSlack = 1.125

/**
 * Width of text in column units, as measured on LibreOffice's PDF at 10 pt: a full-width
 * character takes about 1.6 units, a capital letter about 1.1 (finding codes such as
 * SHIP_METHOD_NOT_ANONYMOUS ran past a 26-unit column counted at 0.9), any other Latin
 * letter or digit at most 0.9. Latin text with spaces, hyphens or slashes breaks there,
 * which leaves some of each line unused: its width counts an eighth more. Japanese breaks
 * between any two characters, and so does Latin text with nowhere else to break (a code
 * such as SHIP_RESHIP_WITHOUT_INTAKE), so neither needs that allowance (a label of 15
 * kanji fills a 26-unit column on one line).
 */
export const wrapWidth = (text: string) => {
  let wide = 0
  let latin = 0
  let breaksBetweenWords = false
  // By UTF-16 unit, without an iterator (it runs for most wrapped cells of every row); a
  // surrogate pair is one character, and a wide one.
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    if (code >= 0x1100 && !(code >= 0xff61 && code <= 0xff9f)) wide += widestCharacter
    else {
      latin += code >= 0x41 && code <= 0x5a ? 1.1 : 0.9
      if (code === 0x20 || code === 0x2d || code === 0x2f) breaksBetweenWords = true
    }
  }
  return { width: wide + latin * (breaksBetweenWords ? wrapSlack : 1), wide: wide > 0 }
}

export const linesNeeded = (text: string, width: number) => {
  const perLine = Math.max(1, width - 0.6)
  // A hair under the line, so that rounding in wrapWidth's sum never decides.
  if (text.length * widestCharacter * wrapSlack < perLine - 1e-6 && !text.includes("\n")) return 1
  return text.split("\n").reduce((n, line) => {
    const { width: needed, wide } = wrapWidth(line)
    if (needed <= perLine) return n + 1
    // A wrapped line of Japanese may end one character short: a closing bracket or 。
    // never starts the next line, so the character before it moves down with it.
    return n + Math.ceil(needed / Math.max(1, wide ? perLine - widestCharacter : perLine))
  }, 0)
}

const heightOf = (lines: number) => Math.min(maxRowHeight, lines * lineHeight + 4)

const wrappedHeight = (cells: ReadonlyArray<{ readonly text: string; readonly width: number }>) => {
  const lines = cells.reduce((n, c) => Math.max(n, linesNeeded(c.text, c.width)), 1)
  return lines <= 1 ? undefined : heightOf(lines)
}

// exceljs writes the print area as `$<from>:$<to>`: rows given as `$n` make the range
// absolute ($A$1:$H$20), which LibreOffice needs to honour it.
const printRange = (columns: number, lastRow: number) => `A$1:${columnLetter(columns - 1)}$${lastRow}`

// exceljs leaves a column of width 9 (its default) out of <cols>, and readers then use
// their own default; a hair less keeps the width written.
const explicitWidth = (width: number) => (width === 9 ? 8.99 : width)

// Excel keeps at most 1,026 manual page breaks per sheet; later groups run on.
const maxPageBreaks = 1_026

/** The sheet's columns in sheet order: printed ones first, then the rest. */
export const sheetColumns = <Row>(spec: SheetSpec<Row>): ReadonlyArray<Column<Row>> => {
  const decisionKey = spec.decisionKey
  const printed = spec.columns.filter((c) => c.print !== false)
  const unprinted = spec.columns.filter((c) => c.print === false)
  if (decisionKey === undefined) return [...printed, ...unprinted]
  // 対応状況 and メモ right after the printed columns, where staff type; the key last.
  return [
    ...printed,
    { header: decisionHeaders.status, width: 10, kind: "text", print: false, value: () => decisionChoices.open },
    { header: decisionHeaders.memo, width: 30, kind: "text", print: false, wrap: true, value: () => null },
    ...unprinted,
    { header: decisionHeaders.key, width: 40, kind: "text", print: false, value: (row) => formatFindingKey(decisionKey(row)) }
  ]
}

// Back-pressure. exceljs's sheet stream (a StreamBuf) never says "wait": it hands every
// 64 KB of XML to the zip's deflate stream at once, or keeps it while the zip is still
// busy with an earlier entry, so XML the deflate has not taken yet piles up outside the
// V8 heap (579 MB for a sheet of 1M findings). The writer waits between batches of rows
// until what is pending is below this bound, so memory stays flat whatever the rows.
const maxPendingXml = 4 * 1024 * 1024

// exceljs's StreamBuf is not a full Readable, so archiver pipes it through a
// PassThrough (readable-stream 2, no writableLength getter): that is where XML waits.
interface SheetStream {
  readonly write: (xml: string) => unknown
  readonly buffers: ReadonlyArray<{ readonly length: number }>
  readonly pipes: ReadonlyArray<{
    readonly _writableState?: { readonly length: number }
    readonly _readableState?: { readonly length: number }
  }>
}

const sheetStreamOf = (sheet: ExcelJS.Worksheet) => (sheet as unknown as { stream: SheetStream }).stream

/** Bytes of the sheet's XML written but not yet taken by the zip's deflate. */
export const pendingXml = (stream: SheetStream) => {
  let bytes = 0
  for (const buffer of stream.buffers) bytes += buffer.length
  for (const pipe of stream.pipes) bytes += (pipe._writableState?.length ?? 0) + (pipe._readableState?.length ?? 0)
  return bytes
}

// Deflate runs on libuv's pool and takes its next chunk when the event loop turns: poll
// every millisecond, never a busy wait.
const drained = (stream: SheetStream) =>
  pendingXml(stream) <= maxPendingXml
    ? Effect.void
    : Effect.async<void>((resume) => {
      let timer: ReturnType<typeof setTimeout>
      const check = () => {
        if (pendingXml(stream) <= maxPendingXml / 2) resume(Effect.void)
        else timer = setTimeout(check, 1)
      }
      timer = setTimeout(check, 1)
      return Effect.sync(() => clearTimeout(timer))
    })

// The XML exceljs writes for a row's cells (lib/xlsx/xform/sheet/cell-xform.js), as
// makeRowsXml writes it: text as an inline string (t="str"), numbers and dates (as Excel
// serial days) as values, an empty cell only for its style.
const cellTypes: Record<CellKind, number> = {
  text: ExcelJS.ValueType.String,
  yen: ExcelJS.ValueType.Number,
  int: ExcelJS.ValueType.Number,
  date: ExcelJS.ValueType.Date
}

// exceljs's xmlEncode: the five entities, and the control characters XML 1.0 forbids dropped.
const xmlSpecial = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/
const xmlSpecials = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/g
const xmlEntities: Record<string, string> = { "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", "\"": "&quot;" }
export const xmlText = (text: string) =>
  xmlSpecial.test(text) ? text.replace(xmlSpecials, (ch) => xmlEntities[ch] ?? "") : text

const excelDay = (date: Date) => 25569 + date.getTime() / (24 * 3600 * 1000)

/** A manual page break after row `id`, as exceljs keeps them in a sheet's rowBreaks. */
export interface RowBreak {
  readonly id: number
  readonly max: number
  readonly man: number
}

/** A style id for a column's cell of a given look: (column index, severity, bold, quoted) → id. */
export type StyleIds = (index: number, severity: Severity, bold: boolean, quoted: boolean) => number

/**
 * The style ids of a sheet's columns, registered through the workbook's exceljs style
 * registry the first time each look is asked for (so ids follow the order of first use).
 */
export const makeStyleIds = <Row>(columns: ReadonlyArray<Column<Row>>, styles: StylesRegistry): StyleIds => {
  const styleFor = makeStyles()
  // Each column's style id for each look (severity × bold × quoted), picked by a small
  // index instead of a key string per cell; registered once, through exceljs's registry.
  const lookIds = columns.map(() => new Array<number | undefined>(severityOrder.length * 4))
  return (index, severity, bold, quoted) => {
    const look = severityOrder.indexOf(severity) * 4 + (bold ? 2 : 0) + (quoted ? 1 : 0)
    const known = lookIds[index]![look]
    if (known !== undefined) return known
    const column = columns[index]!
    const style = styleFor({ kind: column.kind, severity, bold, wrap: column.wrap === true, quoted })
    return lookIds[index]![look] = styles.addStyleModel(style, cellTypes[column.kind])
  }
}

/**
 * The XML of a sheet's data rows (below the header row `headerRow`), as writeSheet puts
 * into the sheet's stream: `add` a row at a time, `take` the XML built since the last
 * take. Page breaks between groups go into `breaks`. Shared with the seller lists'
 * writer (SellerListWriter.ts), which writes the same sheet without exceljs.
 */
export const makeRowsXml = <Row>(
  spec: SheetSpec<Row>,
  columns: ReadonlyArray<Column<Row>>,
  headerRow: number,
  styleId: StyleIds,
  breaks: Array<RowBreak>
) => {
  let written = 0
  let leftOut = 0
  let previous: { row: Row } | undefined
  // Per column, what every cell of it needs, looked up once: the cell reference's start,
  // whether it wraps, whether it may be set in bold.
  const cells = columns.map((column, index) => ({
    value: column.value,
    kind: column.kind,
    width: column.width,
    wrap: column.wrap === true,
    emphasis: column.emphasis === true,
    open: `<c r="${columnLetter(index)}`
  }))
  const count = cells.length
  const rowTail = ` spans="1:${count}" x14ac:dyDescent="0.25">`
  // A sheet has few distinct dates and style ids and many cells: each one's XML once.
  const dayTexts = new Map<string, string>()
  const dayText = (value: string) => {
    let text = dayTexts.get(value)
    if (text === undefined) dayTexts.set(value, text = String(excelDay(dateCell(value))))
    return text
  }
  const styleAttributes: Array<string> = []
  const styleAttribute = (id: number) => styleAttributes[id] ??= id === 0 ? "" : ` s="${id}"`
  // The cells' text values and what they hold, reused from row to row.
  const texts = new Array<string>(count)
  const holds = new Array<CellHolds>(count)
  // The rows' XML, written straight into the sheet's stream: exceljs's Row and Cell
  // objects and its XML writer cost most of a sheet's time, for the same XML (see
  // cellTypes). Built by concatenation, without a template or object per cell.
  let xml = ""
  const add = (row: Row) => {
    if (written >= maxDataRows) {
      leftOut++
      return
    }
    if (previous !== undefined && spec.breakBetween?.(previous.row, row) === true && breaks.length < maxPageBreaks) {
      // A break after the previous row (row 1 is the header).
      breaks.push({ id: headerRow + written, max: 16383, man: 1 })
    }
    previous = { row }
    let lines = 1
    for (let i = 0; i < count; i++) {
      const cell = cells[i]!
      const value = cell.value(row)
      if (value === null || value === undefined || value === "") {
        holds[i] = CellHolds.nothing
      } else if (cell.kind === "text" || (cell.kind === "date" && typeof value === "string" && !isoDay.test(value))) {
        const text = texts[i] = fitCellText(String(value))
        holds[i] = CellHolds.text
        if (cell.wrap) lines = Math.max(lines, linesNeeded(text, cell.width))
      } else {
        texts[i] = cell.kind === "date" && typeof value === "string" ? dayText(value) : String(typeof value === "number" ? value : Number(value))
        holds[i] = CellHolds.number
      }
    }
    const severity = spec.severity?.(row) ?? "info"
    const emphasised = spec.emphasise?.(row) ?? false
    const number = String(headerRow + written + 1)
    xml += `<row r="${number}"${lines <= 1 ? "" : ` ht="${heightOf(lines)}" customHeight="1"`}${rowTail}`
    for (let i = 0; i < count; i++) {
      const cell = cells[i]!
      const held = holds[i]!
      const text = held === CellHolds.nothing ? "" : texts[i]!
      const quoted = held === CellHolds.text && startsLikeFormula(text)
      const s = styleAttribute(styleId(i, severity, emphasised && cell.emphasis, quoted))
      if (held === CellHolds.nothing) {
        if (s !== "") xml += cell.open + number + "\"" + s + "/>"
      } else if (held === CellHolds.text) {
        xml += cell.open + number + "\"" + s + " t=\"str\"><v>" + xmlText(text) + "</v></c>"
      } else {
        xml += cell.open + number + "\"" + s + "><v>" + text + "</v></c>"
      }
    }
    xml += "</row>"
    written++
  }
  const take = () => {
    const taken = xml
    xml = ""
    return taken
  }
  return {
    add,
    take,
    /** Data rows added so far. */
    get written() {
      return written
    },
    /** Rows past Excel's limit, left out (writeSheet says how many in a last row). */
    get leftOut() {
      return leftOut
    }
  }
}

// What a data cell holds, as makeRowsXml writes it (cellValue's cases): nothing (the
// style alone), text, or a number (a date as its serial day).
const CellHolds = { nothing: 0, text: 1, number: 2 } as const
type CellHolds = typeof CellHolds[keyof typeof CellHolds]

// looksLikeFormula by its first character, without a regular expression per cell.
const startsLikeFormula = (text: string) => {
  const first = text.charCodeAt(0)
  return first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40 || first === 0x09 || first === 0x0d
}

/**
 * Writes `rows` into a new sheet; returns how many data rows it holds. Logs the sheet's
 * seconds and rows ("sheet written"), beside each file's: where a workbook's time goes.
 */
export const writeSheet = <Row, E, R>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  spec: SheetSpec<Row>,
  rows: Stream.Stream<Row, E, R>,
  options?: {
    /** Lines above the table (a heading that can be sent as is), then one empty row. */
    readonly heading?: ReadonlyArray<string>
  }
): Effect.Effect<number, E, R> =>
  logElapsed("sheet written", { sheet: spec.name }, writeRows(workbook, spec, rows, options), { of: (written) => ({ rows: written }) })

const writeRows = <Row, E, R>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  spec: SheetSpec<Row>,
  rows: Stream.Stream<Row, E, R>,
  options: { readonly heading?: ReadonlyArray<string> } | undefined
): Effect.Effect<number, E, R> =>
  Effect.gen(function*() {
    const heading = options?.heading ?? []
    const headerRow = heading.length === 0 ? 1 : heading.length + 2
    const sheet = workbook.addWorksheet(spec.name, {
      views: [{ state: "frozen", ySplit: headerRow }],
      pageSetup: { ...pageSetupOf(false), printTitlesRow: `${headerRow}:${headerRow}` },
      headerFooter: headerFooterOf(printContexts.get(workbook))
    })
    const columns = sheetColumns(spec)
    const printed = columns.filter((c) => c.print !== false).length
    sheet.columns = columns.map((column, index) => ({ key: `c${index}`, width: explicitWidth(column.width) }))
    heading.forEach((line, index) => {
      const row = sheet.addRow([fitCellText(line)])
      row.getCell(1).font = index === 0 ? titleFont : baseFont
      row.commit()
    })
    if (heading.length > 0) sheet.addRow([]).commit()
    const header = sheet.addRow(columns.map((c) => c.header))
    header.height = wrappedHeight(columns.map((c) => ({ text: c.header, width: c.width }))) ?? lineHeight + 3
    styleHeader(header, columns.map((c) => c.kind))
    header.commit()
    const breaks = (sheet as unknown as { rowBreaks: Array<RowBreak> }).rowBreaks
    const rowsXml = makeRowsXml(spec, columns, headerRow, makeStyleIds(columns, stylesOf(workbook)), breaks)
    // A chunk at a time: the rows come in batches from a cursor, and one effect per row
    // cost more than writing it. The next batches are fetched while one is written.
    const stream = sheetStreamOf(sheet)
    yield* Stream.runForEachChunk(Stream.bufferChunks(rows, { capacity: 4 }), (chunk) =>
      Effect.suspend(() => {
        for (const row of chunk) rowsXml.add(row)
        const xml = rowsXml.take()
        if (xml !== "") stream.write(xml)
        return drained(stream)
      }))
    const { written, leftOut } = rowsXml
    // exceljs numbers the rows it is given after the ones written here.
    ;(sheet as unknown as { _rowZero: number })._rowZero = headerRow + written + 1
    if (leftOut > 0) {
      sheet.addRow([`（Excel の行数の上限のため、ほかに ${leftOut} 行を省略しました）`]).commit()
    }
    sheet.autoFilter = { from: { row: headerRow, column: 1 }, to: { row: headerRow + written, column: columns.length } }
    sheet.pageSetup.printArea = printRange(printed, headerRow + written + (leftOut > 0 ? 1 : 0))
    if (spec.decisionKey !== undefined && written > 0) {
      const statusColumn = columnLetter(columns.findIndex((c) => c.header === decisionHeaders.status))
      // The streaming writer has sheet-level data validations; exceljs's types omit them.
      ;(sheet as unknown as { dataValidations: { add: (range: string, rule: ExcelJS.DataValidation) => void } }).dataValidations.add(`${statusColumn}${headerRow + 1}:${statusColumn}${headerRow + written}`, {
        type: "list",
        allowBlank: false,
        formulae: [`"${decisionChoices.open},${decisionChoices.done}"`],
        showErrorMessage: true,
        errorTitle: decisionHeaders.status,
        error: `${decisionChoices.open} か ${decisionChoices.done} を選んでください`
      })
    }
    sheet.commit()
    return written
  })

export interface SummarySection {
  readonly title: string
  readonly header: ReadonlyArray<string>
  /** Widths of this section's own columns (a section starts at column A). */
  readonly widths?: ReadonlyArray<number>
  readonly kinds?: ReadonlyArray<CellKind>
  readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>
}

/**
 * A sheet of small tables (the summary sheets), stacked, each with its title, header and
 * rows. The sheet's column widths are the widest any section asks for, and a section
 * with fewer columns than the sheet has its last column run to the right edge (merged),
 * so every value sits under its own header and the sheet stays one page wide.
 */
export const writeSummarySheet = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  sections: ReadonlyArray<SummarySection>,
  options?: { readonly heading?: string }
) =>
  Effect.sync(() => {
    const sheet = workbook.addWorksheet(name, {
      pageSetup: pageSetupOf(false),
      headerFooter: headerFooterOf(printContexts.get(workbook))
    })
    const widest = Math.max(...sections.map((s) => s.header.length))
    sheet.columns = Array.from({ length: widest }, (_, i) => ({
      key: `c${i}`,
      width: explicitWidth(Math.max(...sections.map((s) => (i < s.header.length - 1 || s.header.length === widest ? s.widths?.[i] ?? (i === 0 ? 24 : 12) : 0)), 6))
    }))
    const styleFor = makeStyles()
    const widths = sheet.columns.map((c) => c.width ?? 9)
    // A section's last column runs to the right edge.
    const widthOf = (index: number, span: number) =>
      index === span - 1 ? widths.slice(index).reduce((n, w) => n + w, 0) : widths[index]!
    let lastRow = 0
    const add = (values: ReadonlyArray<ExcelJS.CellValue>, span: number | undefined) => {
      const row = sheet.addRow([...values])
      if (span !== undefined && span < widest) sheet.mergeCells(row.number, span, row.number, widest)
      lastRow = row.number
      return row
    }
    if (options?.heading !== undefined) {
      const heading = add([fitCellText(options.heading)], undefined)
      heading.getCell(1).font = { ...titleFont, size: 14 }
      heading.commit()
      add([], undefined).commit()
    }
    for (const section of sections) {
      const span = section.header.length
      const title = add([fitCellText(section.title)], undefined)
      title.getCell(1).font = titleFont
      title.commit()
      const header = add([...section.header], span)
      const headerHeight = wrappedHeight(section.header.map((text, i) => ({ text, width: widthOf(i, span) })))
      if (headerHeight !== undefined) header.height = headerHeight
      styleHeader(header, section.header.map((_, i) => section.kinds?.[i]))
      header.commit()
      for (const values of section.rows) {
        const kinds = values.map((v, i) => section.kinds?.[i] ?? (typeof v === "number" ? "int" : "text"))
        const cells = values.map((v, i) => cellValue(kinds[i]!, v))
        const row = add(cells, span)
        const height = wrappedHeight(cells.flatMap((value, i) =>
          kinds[i] === "text" && typeof value === "string" ? [{ text: value, width: widthOf(i, span) }] : []))
        if (height !== undefined) row.height = height
        cells.forEach((value, i) => {
          row.getCell(i + 1).style = styleFor({
            kind: kinds[i]!,
            severity: "info",
            bold: false,
            wrap: kinds[i] === "text",
            quoted: typeof value === "string" && looksLikeFormula(value)
          })
        })
        row.commit()
      }
      add([], undefined).commit()
    }
    sheet.pageSetup.printArea = printRange(widest, Math.max(1, lastRow))
    sheet.commit()
  })
