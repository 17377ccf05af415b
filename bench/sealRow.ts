// Benchmark: what sealing one stored row costs in Node, for an address row sealed the
// old way (six AES-GCM values, migrations 0005/0010) and the current way (one value,
// migration 0011), each with its sealed_digest HMAC, and for a bank payout request.
//
//   node --import tsx bench/sealRow.ts [--rows 50000] [--rounds 5]
//
// Prints µs per row (the median of the rounds, alternating old and new in each round so
// that a busy machine slows both alike) and how many AES-GCM seals and HMACs each row costs.
import { randomKeyMaterial } from "../src/Seal/KeyFile.ts"
import { perFieldAddresses, sealedDigest, type SealedTable, sealedTables } from "../src/Seal/SealedColumns.ts"
import { makeSealer, type SealerShape } from "../src/Seal/Sealer.ts"

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}
const rows = arg("--rows", 50_000)
const rounds = arg("--rounds", 5)

const address = (i: number) => ({
  order_id: `O-${i}`,
  postal_code: `${100 + (i % 900)}-${String(i % 10_000).padStart(4, "0")}`,
  prefecture: "東京都",
  city: "渋谷区神宮前",
  address_line: `${i % 9 + 1}-${i % 20 + 1}-${i % 30 + 1} メゾン神宮前${i % 400}号室`,
  recipient_name: "山田 太郎",
  phone: `090-${String(i % 10_000).padStart(4, "0")}-${String((i * 7) % 10_000).padStart(4, "0")}`
})
const payout = (i: number) => ({
  request_id: `R-${i}`, service: "pictspace", kind: "sales", user_id: `U-${i}`, amount: 1000 + i, method: "bank",
  requested_at: "2023-09-01T10:00:00+09:00", status: "requested",
  bank_code: "0001", branch_code: "001", account_type: "1", account_number: String(1_000_000 + i),
  account_holder: "ヤマダ タロウ", holder_key: "ﾔﾏﾀﾞﾀﾛｳ", linepay_user_ref: null, holder_writable: true
})

// Counts the primitive operations a row costs, through a sealer that counts its calls.
const counting = (sealer: SealerShape) => {
  const counts = { seals: 0, hmacs: 0 }
  const counted: SealerShape = {
    ...sealer,
    seal: (plain, context) => (counts.seals++, sealer.seal(plain, context)),
    sealOrNull: (plain) => (plain === null || plain === undefined ? null : (counts.seals++, sealer.seal(plain))),
    equalityKey: (value) => (counts.hmacs++, sealer.equalityKey(value))
  }
  return { counted, counts }
}

const storeRow = (sealer: SealerShape, spec: SealedTable, row: Record<string, unknown>) => {
  const stored = spec.toStored(sealer, row)
  stored.sealed_digest = sealedDigest(sealer, spec, row)
  return stored
}

const sealer = makeSealer(randomKeyMaterial())
const cases: ReadonlyArray<{ name: string; spec: SealedTable; make: (i: number) => Record<string, unknown> }> = [
  { name: "address, six sealed columns (before 0011)", spec: perFieldAddresses, make: address },
  { name: "address, one sealed value (0011)", spec: sealedTables.shipping_addresses!, make: address },
  { name: "payout request, bank (unchanged)", spec: sealedTables.payout_requests!, make: payout }
]
const inputs = cases.map((c) => Array.from({ length: rows }, (_, i) => c.make(i)))
const timings = cases.map(() => [] as Array<number>)
let sink = 0
for (let round = 0; round < rounds; round++) {
  cases.forEach((c, k) => {
    const start = process.hrtime.bigint()
    for (const row of inputs[k]!) sink += (storeRow(sealer, c.spec, row).sealed_digest as Buffer)[0]!
    timings[k]!.push(Number(process.hrtime.bigint() - start) / 1_000 / rows)
  })
}
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(`${rows} rows × ${rounds} rounds, node ${process.version} (checksum ${sink % 10})`)
cases.forEach((c, k) => {
  const { counted, counts } = counting(sealer)
  storeRow(counted, c.spec, c.make(1))
  console.log(`${c.name.padEnd(44)} ${median(timings[k]!).toFixed(1).padStart(6)} µs/row   (${counts.seals} AES-GCM + ${counts.hmacs} HMAC; rounds ${timings[k]!.map((t) => t.toFixed(1)).join(" ")})`)
})
