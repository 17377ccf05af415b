// Probe: Node's CPU per row for opening 再発送リスト's addresses, in three layers: the
// whole row (openReadyRow, as the sheet reads it), the address alone (openAddress: open
// and parse), the AES-GCM open alone. Synthetic rows, a random key. Prints figures.
//
//   npx tsx bench/unseal-probe.ts
import { makeSealer } from "../src/Seal/Sealer.ts"
import { randomKeyMaterial } from "../src/Seal/KeyFile.ts"
import { addressContext, openAddress, sealAddress } from "../src/Seal/SealedColumns.ts"
import { openReadyRow, type SealedReadyRow } from "../src/Store/ShippingQueries.ts"
const sealer = makeSealer(randomKeyMaterial())
const n = 50000
const rows = Array.from({ length: n }, (_, i): SealedReadyRow => ({
  order_id: `O${10_000_000 + i}`, status: "継続", overdue: true, seller_id: "S1", circle_name: "c", parcel_ids: "P", last_received_on: "2026-11-01",
  business_days: 3, items: "x", item_count: 1, conditions: "良好", notes: "", has_address: true, resolved_by: null, resolved_on: null, resolution_note: null,
  address_sealed: sealAddress(sealer, { postal_code: "123-4567", prefecture: "東京都", city: "千代田区", address_line: `${i}-2-3`, recipient_name: "山田", phone: "090" })
}))
// µs of CPU per row.
const cpu = (f: (r: SealedReadyRow) => unknown) => { const c = process.cpuUsage(); for (const r of rows) f(r); const u = process.cpuUsage(c); return ((u.user + u.system) / n).toFixed(1) }
const open = openReadyRow(sealer)
for (let round = 0; round < 3; round++) console.log("µs/row: openReadyRow", cpu(open), "openAddress", cpu((r) => openAddress(sealer, r.address_sealed!)), "sealer.open", cpu((r) => sealer.open(r.address_sealed!, addressContext)))
