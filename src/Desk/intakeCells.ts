// A parcel typed at the desk, checked by the parcels export's own rules: each order line
// becomes the cells of one export row and goes through the export's Schema, cell limits
// and mapping (src/Ingest/Exports.ts, src/Ingest/Csv.ts), so a desk line is exactly the
// row ingest would have stored for the same cells.
import { Either, ParseResult } from "effect"
import { codeMaxChars, freeTextMaxChars } from "../Ingest/Csv.ts"
import { parcelsExport } from "../Ingest/Exports.ts"
import { decodeCells } from "../Ingest/Fields.ts"
import { IntakeRejected } from "./Desk.ts"

/** A parcel_lines row as the parcels export maps it. */
export type ParcelLine = ReturnType<typeof parcelsExport.toRow>

const decode = decodeCells(parcelsExport.schema)
const freeText = new Set(parcelsExport.columns.freeText ?? [])

// The cells the server fills in itself; checked here with values that always pass, and
// replaced by the real 受付番号 and 受付日時 once they are given out.
export const serverCells = { 受付番号: "IN-00000000-0000", 受付日時: "2000/01/01 00:00" } as const

/** What to call an order line in a sentence: 「2件目の注文の」, or nothing for a single order. */
export const lineLabel = (index: number, lines: number) => (lines > 1 ? `${index + 1}件目の注文の` : "")

/**
 * The row for these cells, or one Japanese sentence saying which cell breaks which
 * rule (the export's expectation; the value is repeated, as parcels hold no personal data).
 */
export const parcelLineOf = (cells: Readonly<Record<string, string>>, label = ""): Either.Either<ParcelLine, IntakeRejected> => {
  for (const [column, value] of Object.entries(cells)) {
    const max = freeText.has(column) ? freeTextMaxChars : codeMaxChars
    if (value.includes("\u0000")) {
      return Either.left(new IntakeRejected({ field: column, message: `${label}${column}に使えない文字（NUL）があります。` }))
    }
    if (value.length > max) {
      return Either.left(new IntakeRejected({ field: column, message: `${label}${column}が長すぎます（${max.toLocaleString("en")}文字まで）。` }))
    }
  }
  const decoded = decode(cells)
  if (Either.isLeft(decoded)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)[0]
    const column = String(issue?.path[0] ?? "")
    const value = cells[column] ?? ""
    const message = value.trim() === ""
      ? `${label}${column}を入力してください。`
      : `${label}${column}が正しくありません（${issue?.message ?? "形式が違います"}、入力: 「${value}」）。`
    return Either.left(new IntakeRejected({ field: column, message }))
  }
  return Either.right(parcelsExport.toRow(decoded.right))
}
