// Writing one worksheet with the layout staff expect: header row frozen and filterable,
// fixed column widths, yen as #,##0, dates as yyyy/mm/dd, errors and warnings shaded,
// A4 landscape fitted to the page width with the header row repeated. Rows are streamed
// and committed one by one; values are plain values, never formulas or links.
import ExcelJS from "exceljs"
import { Effect, Stream } from "effect"
import type { Severity } from "../Domain/Finding.ts"

export type CellKind = "text" | "yen" | "int" | "date"

export interface Column<Row> {
  readonly header: string
  /** Width in characters; a full-width character counts as two. */
  readonly width: number
  readonly kind: CellKind
  readonly value: (row: Row) => string | number | null | undefined
}

export interface SheetSpec<Row> {
  readonly name: string
  readonly columns: ReadonlyArray<Column<Row>>
  /** Shades the row: errors red, warnings yellow. */
  readonly severity?: (row: Row) => Severity | undefined
  /** Emphasises the row (bold), e.g. a finding first raised by this run. */
  readonly emphasise?: (row: Row) => boolean
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

// Excel's limit is 1,048,576 rows; the last one says how many were left out.
const maxDataRows = 1_048_576 - 2

const fills: Partial<Record<Severity, ExcelJS.Fill>> = {
  error: { type: "pattern", pattern: "solid", fgColor: { argb: "FFF8D7DA" } },
  warning: { type: "pattern", pattern: "solid", fgColor: { argb: "FFFFF3CD" } }
}
const headerFill: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFDDEBF7" } }

// Text cells need no format (their values are strings); leaving them unstyled also
// spares exceljs a style lookup per cell, the larger part of writing a big sheet.
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
const columnLetter = (index: number): string =>
  index < 26 ? String.fromCharCode(65 + index) : columnLetter(Math.floor(index / 26) - 1) + String.fromCharCode(65 + (index % 26))

const cellValue = (kind: CellKind, value: string | number | null | undefined): ExcelJS.CellValue => {
  if (value === null || value === undefined || value === "") return null
  if (kind === "date" && typeof value === "string") return dateCell(value)
  if (kind === "text") return String(value)
  return typeof value === "number" ? value : Number(value)
}

const addSheet = (workbook: ExcelJS.stream.xlsx.WorkbookWriter, name: string) => {
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: "frozen", ySplit: 1 }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: "1:1",
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.5, header: 0.3, footer: 0.3 }
    }
  })
  return sheet
}

/** Writes `rows` into a new sheet; returns how many data rows it holds. */
export const writeSheet = <Row, E, R>(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  spec: SheetSpec<Row>,
  rows: Stream.Stream<Row, E, R>
): Effect.Effect<number, E, R> =>
  Effect.gen(function*() {
    const sheet = addSheet(workbook, spec.name)
    const decisionKey = spec.decisionKey
    const columns: ReadonlyArray<Column<Row>> = decisionKey === undefined ? spec.columns : [
      ...spec.columns,
      { header: decisionHeaders.status, width: 10, kind: "text", value: () => decisionChoices.open },
      { header: decisionHeaders.memo, width: 30, kind: "text", value: () => null },
      { header: decisionHeaders.key, width: 40, kind: "text", value: (row) => formatFindingKey(decisionKey(row)) }
    ]
    sheet.columns = columns.map((column, index) => ({
      key: `c${index}`,
      width: column.width,
      style: numberFormats[column.kind] === undefined ? {} : { numFmt: numberFormats[column.kind]! }
    }))
    const header = sheet.addRow(columns.map((c) => c.header))
    header.font = { bold: true }
    header.eachCell((cell) => {
      cell.fill = headerFill
      cell.alignment = { vertical: "middle", wrapText: true }
    })
    header.commit()
    let written = 0
    let leftOut = 0
    // One style object per look, shared by every cell that has it: exceljs looks styles
    // up by object identity first, so shared objects spare it a serialisation per cell.
    const styles = new Map<string, Partial<ExcelJS.Style>>()
    const styleFor = (kind: CellKind, severity: Severity, bold: boolean) => {
      const key = `${kind}|${severity}|${bold}`
      let style = styles.get(key)
      if (style === undefined) {
        const numFmt = numberFormats[kind]
        const fill = fills[severity]
        style = {
          ...(numFmt === undefined ? {} : { numFmt }),
          ...(fill === undefined ? {} : { fill }),
          ...(bold ? { font: { bold: true } } : {})
        }
        styles.set(key, style)
      }
      return style
    }
    yield* Stream.runForEach(rows, (row) =>
      Effect.sync(() => {
        if (written >= maxDataRows) {
          leftOut++
          return
        }
        const excelRow = sheet.addRow(columns.map((c) => cellValue(c.kind, c.value(row))))
        const severity = spec.severity?.(row) ?? "info"
        const bold = spec.emphasise?.(row) ?? false
        columns.forEach((column, index) => {
          excelRow.getCell(index + 1).style = styleFor(column.kind, severity, bold)
        })
        excelRow.commit()
        written++
      })
    )
    if (leftOut > 0) {
      sheet.addRow([`（Excel の行数の上限のため、ほかに ${leftOut} 行を省略しました）`]).commit()
    }
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + written, column: columns.length } }
    if (decisionKey !== undefined && written > 0) {
      const statusColumn = columnLetter(columns.length - 2)
      // The streaming writer has sheet-level data validations; exceljs's types omit them.
      ;(sheet as unknown as { dataValidations: { add: (range: string, rule: ExcelJS.DataValidation) => void } }).dataValidations.add(`${statusColumn}2:${statusColumn}${1 + written}`, {
        type: "list",
        allowBlank: true,
        formulae: [`"${decisionChoices.open},${decisionChoices.done}"`],
        showErrorMessage: true,
        errorTitle: decisionHeaders.status,
        error: `${decisionChoices.open} か ${decisionChoices.done} を選んでください`
      })
    }
    sheet.commit()
    return written
  })

/** A two-column sheet of labelled values (the summary sheets). */
export const writeSummarySheet = (
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  name: string,
  sections: ReadonlyArray<{
    readonly title: string
    readonly header: ReadonlyArray<string>
    readonly widths?: ReadonlyArray<number>
    readonly kinds?: ReadonlyArray<CellKind>
    readonly rows: ReadonlyArray<ReadonlyArray<string | number | null>>
  }>
) =>
  Effect.sync(() => {
    const sheet = workbook.addWorksheet(name, {
      pageSetup: { paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 }
    })
    const widest = Math.max(...sections.map((s) => s.header.length))
    sheet.columns = Array.from({ length: widest }, (_, i) => ({
      key: `c${i}`,
      width: Math.max(...sections.map((s) => s.widths?.[i] ?? (i === 0 ? 28 : 16)))
    }))
    for (const section of sections) {
      const title = sheet.addRow([section.title])
      title.font = { bold: true, size: 12 }
      title.commit()
      const header = sheet.addRow([...section.header])
      header.font = { bold: true }
      header.eachCell((cell) => { cell.fill = headerFill })
      header.commit()
      for (const values of section.rows) {
        const row = sheet.addRow(values.map((v, i) => cellValue(section.kinds?.[i] ?? (typeof v === "number" ? "int" : "text"), v)))
        row.eachCell((cell, col) => {
          const kind = section.kinds?.[col - 1]
          const format = kind === undefined ? undefined : numberFormats[kind]
          if (format !== undefined && kind !== "text") cell.numFmt = format
        })
        row.commit()
      }
      sheet.addRow([]).commit()
    }
    sheet.commit()
  })
