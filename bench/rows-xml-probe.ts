// Probe: Node's cost per row of 再発送リスト and Findings, without a database: the row XML
// (makeRowsXml, as writeSheet builds it), the address unsealing, and the zip's deflate
// of that XML at levels 0, 1 and the workbooks' level. Synthetic rows shaped like the
// generated inboxes'. Prints figures; asserts nothing.
//
//   npx tsx bench/rows-xml-probe.ts [--rows 100000]
import "./nodeFlags.ts"
import { PassThrough } from "node:stream"
import * as zlib from "node:zlib"
import { makeSealer } from "../src/Seal/Sealer.ts"
import { randomKeyMaterial } from "../src/Seal/KeyFile.ts"
import { sealAddress } from "../src/Seal/SealedColumns.ts"
import { openReadyRow, type ReadyRow, type SealedReadyRow } from "../src/Store/ShippingQueries.ts"
import type { FindingRow } from "../src/Store/FindingsStore.ts"
import { findingsSheet } from "../src/Report/FindingsSheet.ts"
import { readySheet } from "../src/Report/ShippingSheets.ts"
import { makeRowsXml, makeStyleIds, newWorkbookWriter, prepareWorkbook, type SheetSpec, sheetColumns, stylesOf, workbookZipLevel } from "../src/Report/Sheet.ts"

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined)
const n = Number(argValue("--rows") ?? 100_000)
const sealer = makeSealer(randomKeyMaterial())

const sealedReady = Array.from({ length: n }, (_, i): SealedReadyRow => ({
  order_id: `O${String(10_000_000 + i)}`,
  status: i % 7 === 0 ? "新規" : "継続",
  overdue: i % 2 === 0,
  seller_id: `S${String(i % 3000).padStart(5, "0")}`,
  circle_name: `サークル${i % 3000}`,
  parcel_ids: `P${i}、P${i + 1}`,
  last_received_on: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`,
  business_days: i % 9,
  items: `同人誌 vol.${i % 20} ×1 / アクリルキーホルダー ×2`,
  item_count: 3,
  conditions: "良好",
  notes: i % 5 === 0 ? "箱に傷" : "",
  has_address: true,
  address_sealed: sealAddress(sealer, {
    postal_code: "123-4567", prefecture: "東京都", city: "千代田区千代田", address_line: `${i % 9}-2-3 メゾン千代田 ${i % 400}`,
    recipient_name: "山田 太郎", phone: "090-1234-5678"
  }),
  resolved_by: null,
  resolved_on: null,
  resolution_note: null
}))

const findingRows = Array.from({ length: n }, (_, i): FindingRow => ({
  code: i % 3 === 0 ? "SHIP_COUNT_SHORT" : "SHIP_NOT_RESHIPPED",
  severity: "warning",
  subject_id: `O${String(10_000_000 + i)}`,
  related_id: `P${i}`,
  detail: `注文 O${10_000_000 + i} の荷物 P${i} は ${i % 9 + 3} 営業日再発送されていません`,
  first_seen: `2026-11-${String(1 + (i % 28)).padStart(2, "0")}`,
  status: "継続",
  resolved_by: null,
  resolved_on: null,
  resolution_note: null,
  resolved_at: null
}) as unknown as FindingRow)

const ms = (began: number) => performance.now() - began
const cpu = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1000
}
const perRow = (milliseconds: number) => `${((milliseconds * 1000) / n).toFixed(1)} µs/row`

const rowsXml = <Row>(spec: SheetSpec<Row>, rows: ReadonlyArray<Row>) => {
  const workbook = newWorkbookWriter({ stream: new PassThrough() })
  prepareWorkbook(workbook)
  const columns = sheetColumns(spec)
  const xml = makeRowsXml(spec, columns, 1, makeStyleIds(columns, stylesOf(workbook)), [])
  const parts: Array<Buffer> = []
  const began = performance.now()
  const from = process.cpuUsage()
  for (let i = 0; i < rows.length; i++) {
    xml.add(rows[i]!)
    if (i % 1000 === 999) parts.push(Buffer.from(xml.take()))
  }
  parts.push(Buffer.from(xml.take()))
  return { ms: ms(began), cpu: cpu(from), xml: Buffer.concat(parts) }
}

const deflate = (xml: Buffer, level: number) => {
  const from = process.cpuUsage()
  const out = zlib.deflateRawSync(xml, { level })
  return `level ${level} cpu ${perRow(cpu(from))} → ${(out.length / 1e6).toFixed(1)} MB`
}

for (let round = 1; round <= 2; round++) {
  const open = openReadyRow(sealer)
  let began = performance.now()
  const from = process.cpuUsage()
  const ready: Array<ReadyRow> = sealedReady.map(open)
  const unsealMs = ms(began)
  const unsealCpu = cpu(from)
  const readyXml = rowsXml(readySheet, ready)
  const findingsXml = rowsXml(findingsSheet, findingRows)
  console.log(`round ${round}, ${n.toLocaleString("en-US")} rows:`)
  console.log(`  再発送リスト: unseal ${perRow(unsealMs)} (cpu ${perRow(unsealCpu)}); row XML ${perRow(readyXml.ms)} (cpu ${perRow(readyXml.cpu)}, ${(readyXml.xml.length / 1e6).toFixed(1)} MB); deflate ${[1, workbookZipLevel, 6].map((l) => deflate(readyXml.xml, l)).join(", ")}`)
  console.log(`  Findings: row XML ${perRow(findingsXml.ms)} (cpu ${perRow(findingsXml.cpu)}, ${(findingsXml.xml.length / 1e6).toFixed(1)} MB); deflate ${[1, workbookZipLevel, 6].map((l) => deflate(findingsXml.xml, l)).join(", ")}`)
}
