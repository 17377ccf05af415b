// Reading a seller list back with exceljs, for tests that compare lists.
import ExcelJS from "exceljs"

type Cell = ExcelJS.CellValue

/** A list's cells, without the date in its heading (a carried list keeps the date it was written). */
export const sellerListRows = async (file: string) => {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.readFile(file)
  const rows: Array<Array<Cell>> = []
  workbook.worksheets[0]!.eachRow({ includeEmpty: true }, (row, n) => {
    rows[n - 1] = (row.values as Array<Cell>).slice(1).map((v) => (typeof v === "string" ? v.replace(/（\d+年\d+月\d+日 現在）/, "（日付）") : v))
  })
  return Array.from(rows, (r) => r ?? [])
}
