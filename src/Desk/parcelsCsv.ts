// The desk's lines written as a parcels export (inputs.md, parcels): the export's
// headers in its order, UTF-8 with a BOM, CRLF, a cell quoted when it holds a comma, a
// quote or a line break. Reading the file back through ingest gives the same lines.
import { parcelsExport } from "../Ingest/Exports.ts"
import { japanTime } from "./japanTime.ts"

/** A stored parcel line, as the CSV needs it. */
export interface ParcelLineRow {
  readonly parcel_id: string
  readonly order_ref_typed: string
  readonly received_at: Date
  readonly carrier: string
  readonly tracking_no: string
  readonly seller_id: string | null
  readonly item_count: number
  readonly condition: string
  readonly note: string
}

export const parcelsHeader: ReadonlyArray<string> = [
  ...parcelsExport.columns.required,
  ...(parcelsExport.columns.optional ?? [])
]

const byHeader: Readonly<Record<string, (row: ParcelLineRow) => string>> = {
  受付番号: (r) => r.parcel_id,
  受付日時: (r) => japanTime(r.received_at).cell,
  配送業者: (r) => r.carrier,
  伝票番号: (r) => r.tracking_no,
  頒布者ID: (r) => r.seller_id ?? "",
  注文ID: (r) => r.order_ref_typed,
  点数: (r) => String(r.item_count),
  状態: (r) => r.condition,
  備考: (r) => r.note
}

const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll("\"", "\"\"")}"` : cell)

const record = (cells: ReadonlyArray<string>) => cells.map(quote).join(",") + "\r\n"

export const bom = "\uFEFF"

/** The header line, with the BOM. */
export const parcelsCsvHead = (): string => bom + record(parcelsHeader)

/** One line of the file. */
export const parcelsCsvLine = (row: ParcelLineRow): string =>
  record(parcelsHeader.map((header) => {
    const cell = byHeader[header]
    // The export's columns and this writer must not drift apart.
    if (cell === undefined) throw new Error(`parcels CSV: no value for column ${header}`)
    return cell(row)
  }))
