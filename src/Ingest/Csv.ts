// CSV structure checked, not guessed (issue 9): the header must name each column once;
// every record must have as many cells as the header, no NUL, no cell longer than its
// column allows. Records of empty cells are skipped and counted. The rules are pure
// (`readHeader`, `checkRecord`) so that any reader of these files applies the same ones.
import { Either, Stream } from "effect"
import { FileRejected } from "../Domain/Errors.ts"
import { type CsvRecord, CsvTokenizer } from "./CsvRecords.ts"
import { decodedText, type Encoding, type OpenExport } from "./TextSource.ts"

export interface CsvColumns {
  readonly required: ReadonlyArray<string>
  readonly optional?: ReadonlyArray<string>
  /** Free-text columns, allowed `freeTextMaxChars`; every other column `codeMaxChars`. */
  readonly freeText?: ReadonlyArray<string>
}

export const freeTextMaxChars = 1_000
export const codeMaxChars = 200

/** One record of a file, checked. */
export type CsvLine =
  | { readonly _tag: "Row"; readonly line: number; readonly cells: Readonly<Record<string, string>> }
  | { readonly _tag: "Blank"; readonly line: number }
  | { readonly _tag: "Broken"; readonly line: number; readonly reason: string }

/** A data row: the cells the kind reads, by header name. */
export type CsvRow = Extract<CsvLine, { _tag: "Row" }>

export interface CsvHeader {
  readonly width: number
  /** The columns the kind reads: name, index, longest value allowed. */
  readonly columns: ReadonlyArray<readonly [name: string, index: number, maxChars: number]>
  /** How a column is named in a reason: by name when it is one the kind knows, else by position. */
  readonly label: (index: number) => string
}

// Separators other than the comma, as they show in a header read with commas.
const otherSeparators = [["\t", "タブ"], [";", "セミコロン"], ["|", "縦棒 (|) "], ["，", "全角カンマ"]] as const

const cleanHeader = (header: string) => header.replace(/^\uFEFF/, "").trim()

/** The header row, or why the file is rejected. */
export const readHeader = (record: CsvRecord, columns: CsvColumns): Either.Either<CsvHeader, string> => {
  if (record.fault !== undefined) return Either.left(`見出し行が正しくありません: ${record.fault}`)
  const names = record.fields.map(cleanHeader)
  const known = new Set([...columns.required, ...(columns.optional ?? [])])
  // Names the file gives that the kind does not know are never repeated: the "header"
  // may be a data row of a money file.
  const label = (index: number) => known.has(names[index]!) ? `列「${names[index]}」` : `${index + 1}列目`
  const missing = columns.required.filter((name) => !names.includes(name))
  if (missing.length > 0) {
    const separator = otherSeparators.find(([mark]) => names.some((name) => name.includes(mark)))
    if (separator !== undefined) return Either.left(`${separator[1]}区切りのようです: カンマ区切り (CSV) で保存し直してください`)
  }
  if (names.some((name) => name.includes("\u0000"))) return Either.left("見出し行に NUL 文字 (0x00) があります")
  const empty = names.findIndex((name) => name === "")
  if (empty >= 0) return Either.left(`見出し行の${empty + 1}列目が空です（列名は省略できません）`)
  for (let i = 0; i < names.length; i++) {
    const again = names.indexOf(names[i]!, i + 1)
    if (again >= 0) {
      return Either.left(known.has(names[i]!)
        ? `見出し「${names[i]}」が2回あります（${i + 1}列目と${again + 1}列目）: どちらの値を使うか決められません`
        : `見出しの${i + 1}列目と${again + 1}列目が同じ名前です: どちらの値を使うか決められません`)
    }
  }
  if (missing.length > 0) return Either.left(`必須の列がありません: ${missing.join(", ")}`)
  const freeText = new Set(columns.freeText ?? [])
  return Either.right({
    width: names.length,
    columns: [...known].flatMap((name) => {
      const index = names.indexOf(name)
      return index < 0 ? [] : [[name, index, freeText.has(name) ? freeTextMaxChars : codeMaxChars] as const]
    }),
    label
  })
}

const isBlank = (fields: ReadonlyArray<string>) => fields.every((field) => field.trim() === "")

/** A data record, checked against its header. Reasons name columns, never a value. */
export const checkRecord = (header: CsvHeader, record: CsvRecord): CsvLine => {
  const { line, fields } = record
  if (record.fault !== undefined) return { _tag: "Broken", line, reason: record.fault }
  if (isBlank(fields)) return { _tag: "Blank", line }
  if (fields.length !== header.width) {
    return { _tag: "Broken", line, reason: `セルの数が見出しと違います（見出し${header.width}列、この行${fields.length}列）` }
  }
  const nul = fields.findIndex((field) => field.includes("\u0000"))
  if (nul >= 0) return { _tag: "Broken", line, reason: `${header.label(nul)}に NUL 文字 (0x00) があります` }
  const cells: Record<string, string> = {}
  for (const [name, index, maxChars] of header.columns) {
    const value = fields[index]!
    if (value.length > maxChars) {
      return { _tag: "Broken", line, reason: `列「${name}」の値が長すぎます（${maxChars.toLocaleString("en")}文字まで、この値は${value.length.toLocaleString("en")}文字）` }
    }
    cells[name] = value
  }
  return { _tag: "Row", line, cells }
}

class HeaderRejected {
  constructor(readonly line: number, readonly reason: string) {}
}

/** Records of a whole text, checked (the header first). */
export async function* checkedLines(texts: AsyncIterable<string>, columns: CsvColumns): AsyncGenerator<ReadonlyArray<CsvLine>> {
  const tokenizer = new CsvTokenizer()
  let header: CsvHeader | undefined
  const check = (records: ReadonlyArray<CsvRecord>): ReadonlyArray<CsvLine> => {
    const lines: Array<CsvLine> = []
    for (const record of records) {
      if (header === undefined) {
        // Blank lines before the header are not the header.
        if (record.fault === undefined && isBlank(record.fields)) continue
        const read = readHeader(record, columns)
        if (Either.isLeft(read)) throw new HeaderRejected(record.line, read.left)
        header = read.right
      } else {
        lines.push(checkRecord(header, record))
      }
    }
    return lines
  }
  for await (const text of texts) {
    const lines = check(tokenizer.push(text))
    if (lines.length > 0) yield lines
  }
  const lines = check(tokenizer.end())
  if (lines.length > 0) yield lines
  if (header === undefined) throw new HeaderRejected(1, "ファイルが空です（見出し行がありません）")
}

/**
 * Streams the checked records of an export. The header must hold every required column
 * (found by name, in any order; extra columns are ignored), else the file is rejected.
 */
export const csvLines = (
  fileName: string,
  file: OpenExport,
  encoding: Encoding,
  columns: CsvColumns
): Stream.Stream<CsvLine, FileRejected> =>
  Stream.fromAsyncIterable(checkedLines(decodedText(file, encoding), columns), (cause) => readFailure(fileName, cause)).pipe(
    Stream.mapConcat((lines) => lines)
  )

/** What `checkedLines` threw, as the file's rejection: its header, or the file unreadable. */
export const readFailure = (fileName: string, cause: unknown) =>
  cause instanceof HeaderRejected
    ? new FileRejected({ fileName, line: cause.line, reason: cause.reason })
    : new FileRejected({ fileName, reason: `ファイルを読めません: ${cause instanceof Error ? cause.message : String(cause)}` })
