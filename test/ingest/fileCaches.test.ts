// What a file's reader remembers while it reads, and the COPY text it writes (issue 12): holder names repeat (some
// 1,500 in 100k payouts), so their compared form, whether banks can write them and their
// keyed hash are made once per name and file. The rows and COPY text must be what they
// are without the memo, for every name, also past the memo's bound.
import { Effect, Layer } from "effect"
import { beforeAll, describe, expect, it } from "vitest"
import { normaliseHolderName } from "../../src/Domain/HolderName.ts"
import { bankHolderName } from "../../src/Domain/BankName.ts"
import { bankTransfersExport, ordersExport, payoutRequestsExport, rowDecoder } from "../../src/Ingest/Exports.ts"
import { holderKey, sealedTables } from "../../src/Seal/SealedColumns.ts"
import { Sealer } from "../../src/Seal/Sealer.ts"
import { copyLine } from "../../src/Store/CopyIn.ts"
import { boundedMemo, Records, RecordsLive } from "../../src/Store/Records.ts"
import { createTestDatabase, databaseLayer } from "../support/testDatabase.ts"

// A few names given many times, written in the ways people write them, then more distinct
// names than the memo keeps.
const spellings = ["ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダ　タロウ", "やまだ たろう", "カ)アオゾラシヨウジ", "株式会社アオゾラショウジ", "Müller", "ｽｽﾞｷ ﾊﾅｺ"]
const holders = [
  ...Array.from({ length: 3_000 }, (_, i) => spellings[i % spellings.length]!),
  ...Array.from({ length: 4_200 }, (_, i) => `ﾀﾅｶ ${String.fromCharCode(0xff71 + (i % 40))}${i}`),
  ...spellings
]

const payoutCells = (i: number, holder: string) => ({
  request_id: String(2_308_070_000 + i), service: "pictSPACE", kind: "sales_settlement", user_id: `U${i}`, amount: "1,000",
  method: "bank", requested_at: "2023-08-16T03:06:26+09:00", status: "requested", bank_code: "0005", branch_code: "057",
  account_type: "1", account_number: String(1_000_000 + i), account_holder: holder, linepay_user_ref: ""
})
const bankCells = (i: number, holder: string) => ({
  受付番号: `20230821-${i}`, 振込指定日: "2023/08/21", 金融機関コード: "0009", 支店コード: "123", 預金種目: "普通",
  口座番号: String(1_000_000 + i), 受取人名: holder, 振込金額: "12,300", 手数料: "145", 顧客コード: "2308070001", 結果: "完了"
})

describe("the bounded memo", () => {
  it("computes a key once while it has room, and every time past its bound, with the same answers", () => {
    const computed: Array<string> = []
    const memo = boundedMemo((key: string) => (computed.push(key), `<${key}>`), 2)
    expect(["a", "b", "a", "c", "c", "b"].map(memo)).toEqual(["<a>", "<b>", "<a>", "<c>", "<c>", "<b>"])
    expect(computed).toEqual(["a", "b", "c", "c"])
  })
})

describe("a file's decoder", () => {
  it("gives each payout request the holder key and writability of its own name", () => {
    const decode = rowDecoder(payoutRequestsExport)
    holders.forEach((holder, i) => {
      const result = decode(payoutCells(i, holder))
      if (result._tag !== "Accepted") throw new Error(result.reason)
      expect(result.row).toEqual(payoutRequestsExport.toRow(result.decoded))
      expect([result.row.holder_key, result.row.holder_writable]).toEqual([normaliseHolderName(holder), bankHolderName(holder) !== undefined])
    })
  })

  it("gives each bank transfer the holder key of its own name", () => {
    const decode = rowDecoder(bankTransfersExport)
    holders.forEach((holder, i) => {
      const result = decode(bankCells(i, holder))
      if (result._tag !== "Accepted") throw new Error(result.reason)
      expect(result.row).toEqual(bankTransfersExport.toRow(result.decoded))
      expect(result.row.holder_key).toBe(normaliseHolderName(holder))
    })
  })
})

describe("a file's COPY text", () => {
  let url: string
  beforeAll(async () => {
    url = await createTestDatabase()
  })

  it("holds, in every row, the keyed hash of that row's own holder and the same other values as a file's first row", async () => {
    await Effect.runPromise(Effect.gen(function*() {
      const records = yield* Records
      const sealer = yield* Sealer
      const decode = rowDecoder(payoutRequestsExport)
      const lines = records.stageLines(payoutRequestsExport.table)
      const columns = lines.copyStatement.slice(lines.copyStatement.indexOf("(") + 1, lines.copyStatement.indexOf(")")).split(", ").map((c) => c.replaceAll("\"", ""))
      const at = (name: string) => columns.indexOf(name)
      // Sealed values differ on every seal (random nonce): compared through the digest.
      const sealed = new Set(Object.keys(sealedTables.payout_requests!.sealed).map(at))
      const compared = (line: string) => line.split("\t").filter((_, i) => !sealed.has(i))
      holders.forEach((holder, i) => {
        const result = decode(payoutCells(i, holder))
        if (result._tag !== "Accepted") throw new Error(result.reason)
        const line = lines.rowLine(i + 2, result.row)
        const fields = line.trimEnd().split("\t")
        expect(fields[at("holder_key")]).toBe(`\\\\x${holderKey(sealer, normaliseHolderName(holder))!.toString("hex")}`)
        // A new file's text: nothing remembered yet.
        expect(compared(line)).toEqual(compared(records.stageLines(payoutRequestsExport.table).rowLine(i + 2, result.row)))
      })
    }).pipe(Effect.provide(RecordsLive.pipe(Layer.provideMerge(databaseLayer(url)))), Effect.scoped))
  })

  it("is the line copyLine makes of the line number, no reason and the row's columns in order", async () => {
    await Effect.runPromise(Effect.gen(function*() {
      const records = yield* Records
      const lines = records.stageLines(ordersExport.table)
      const rows = [
        { order_id: "PS-00000001", ordered_at: "2023-08-10T12:14:03.000Z", seller_id: "S104233", circle_name: "tab\there, back\\slash", buyer_id: "B2023311", shipping_method: "direct", status: "shipped", total_amount: 1500 },
        { order_id: "PS-00000002", ordered_at: "2023-08-10T12:14:03.000Z", seller_id: "S104233", circle_name: "two\r\nlines \\N", buyer_id: null, shipping_method: "direct", status: "shipped", total_amount: 0 }
      ]
      for (const [i, row] of rows.entries()) {
        expect(lines.rowLine(i + 2, row)).toBe(copyLine([i + 2, null, ...ordersExport.table.columns.map((c) => row[c])]))
      }
      expect(lines.rejectionLine(9, "理由\tあり")).toBe(copyLine([9, "理由\tあり", ...ordersExport.table.columns.map(() => null)]))
    }).pipe(Effect.provide(RecordsLive.pipe(Layer.provideMerge(databaseLayer(url)))), Effect.scoped))
  })
})
