import { Chunk, Effect, Stream } from "effect"
import iconv from "iconv-lite"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { csvLines } from "../../src/Ingest/Csv.ts"
import { bankTransfersExport, ordersExport, parcelsExport, payoutRequestsExport, rowDecoder, type AnyCsvExport, type CsvExport } from "../../src/Ingest/Exports.ts"
import { decodedText, inspectFile, openExport } from "../../src/Ingest/TextSource.ts"
import { tempDir } from "../support/inbox.ts"

const reasonOf = (spec: AnyCsvExport, cells: Record<string, string>) => {
  const result = rowDecoder(spec)(cells)
  return result._tag === "Rejected" ? result.reason : undefined
}
// The decoded cells, or undefined when the row is set aside.
const valueOf = <D, E, R extends Record<string, unknown>>(spec: CsvExport<D, E, R>, cells: Record<string, string>) => {
  const result = rowDecoder(spec)(cells)
  return result._tag === "Accepted" ? result.decoded : undefined
}

const parcelCells = (orderId: string, overrides: Record<string, string> = {}) => ({
  受付番号: "IN-20230901-0007",
  受付日時: "2023/09/01 10:12",
  配送業者: "日本郵便",
  伝票番号: "1234-5678-9012",
  頒布者ID: "S104233",
  注文ID: orderId,
  点数: "2",
  状態: "良好",
  備考: "",
  ...overrides
})

describe("parcel rows", () => {
  it.each([
    "PS-00412345",
    "ＰＳ－００４１２３４５",
    "ps-00412345",
    "PS00412345",
    "PSー00412345",
    "PS−00412345",
    "  PS-00412345 ",
    "ｐｓ００４１２３４５"
  ])("reads the order id typed as %j as PS-00412345 and keeps what was typed", (typed) => {
    const row = valueOf(parcelsExport, parcelCells(typed))
    expect(row).toBeDefined()
    const stored = parcelsExport.toRow(row!)
    expect(stored.order_ref).toBe("PS-00412345")
    expect(stored.order_ref_typed).toBe(typed.trim())
  })

  it("reads 受付日時 as Japan time", () => {
    const stored = parcelsExport.toRow(valueOf(parcelsExport, parcelCells("PS-00412345"))!)
    expect(stored.received_at).toBe("2023-09-01T01:12:00.000Z")
  })

  it("keeps an unknown-looking order id (it becomes a finding, not a rejected row)", () => {
    const stored = parcelsExport.toRow(valueOf(parcelsExport, parcelCells("PS-0041234X"))!)
    expect(stored.order_ref).toBe("PS-0041234X")
  })

  it("rejects a negative 点数 naming the column and the value", () => {
    expect(reasonOf(parcelsExport, parcelCells("PS-00412345", { 点数: "-1" }))).toBe(
      "列「点数」が正しくありません: 0以上の整数（値: \"-1\"）"
    )
  })

  it("rejects an impossible date", () => {
    expect(reasonOf(parcelsExport, parcelCells("PS-00412345", { 受付日時: "2023/02/30 10:00" }))).toContain(
      "列「受付日時」が正しくありません"
    )
  })

  it("rejects an unknown condition, listing the allowed ones", () => {
    expect(reasonOf(parcelsExport, parcelCells("PS-00412345", { 状態: "紛失" }))).toContain("良好 / 破損 / 開封")
  })
})

const orderCells = (overrides: Record<string, string> = {}) => ({
  order_id: "PS-00412345",
  ordered_at: "2023-08-10T21:14:03+09:00",
  seller_id: "S104233",
  circle_name: "サークル青空",
  buyer_id: "B2023311",
  shipping_method: "pictspace_anonymous",
  status: "awaiting_shipment",
  total_amount: "1,500",
  ...overrides
})

describe("order rows", () => {
  it("accepts thousands separators in yen and keeps the instant", () => {
    const row = valueOf(ordersExport, orderCells())!
    expect(row.total_amount).toBe(1500)
    expect(row.ordered_at).toBe("2023-08-10T12:14:03.000Z")
  })

  it.each([
    ["ordered_at", "2023-08-10 21:14", "列「ordered_at」が正しくありません"],
    ["ordered_at", "2023-13-10T21:14:03+09:00", "列「ordered_at」が正しくありません"],
    ["total_amount", "15.5", "列「total_amount」が正しくありません"],
    ["status", "lost", "awaiting_shipment / shipped / cancelled / refunded のいずれか"],
    ["buyer_id", "B123", "B と7桁の数字"]
  ])("rejects %s = %j", (column, value, expected) => {
    expect(reasonOf(ordersExport, orderCells({ [column]: value }))).toContain(expected)
  })

  it("says which column is missing from a short row", () => {
    const cells: Record<string, string> = orderCells()
    delete cells.total_amount
    expect(reasonOf(ordersExport, cells)).toBe("列「total_amount」の値がありません")
  })
})

const bankCells = (overrides: Record<string, string> = {}) => ({
  受付番号: "20230821-000123",
  振込指定日: "2023/08/21",
  金融機関コード: "0009",
  支店コード: "123",
  預金種目: "普通",
  口座番号: "1234567",
  受取人名: "ﾔﾏﾀﾞ ﾀﾛｳ",
  振込金額: "12,300",
  手数料: "145",
  顧客コード: "2308070001",
  結果: "完了",
  ...overrides
})

describe("bank transfer rows", () => {
  it("reads 12,300 as 12300 yen, the account type as its code, and the holder name's comparison key", () => {
    const row = bankTransfersExport.toRow(valueOf(bankTransfersExport, bankCells())!)
    expect(row).toMatchObject({
      channel: "bank",
      transfer_id: "20230821-000123",
      amount: 12300,
      fee: 145,
      account_type: "1",
      outcome: "completed",
      transfer_date: "2023-08-21",
      reference: "2308070001"
    })
    expect(row.holder_key).toBe(bankTransfersExport.toRow(valueOf(bankTransfersExport, bankCells({ 受取人名: "ヤマダ　タロウ" }))!).holder_key)
  })

  it("never repeats an account number in a rejection reason", () => {
    const reason = reasonOf(bankTransfersExport, bankCells({ 口座番号: "12345678" }))
    expect(reason).toContain("列「口座番号」")
    expect(reason).not.toContain("12345678")
  })

  it("rejects a reason for failure on a completed transfer", () => {
    expect(reasonOf(bankTransfersExport, bankCells({ 不能事由: "口座なし" }))).toContain("不能事由")
  })
})

describe("payout request rows", () => {
  const request = (overrides: Record<string, string>) => ({
    request_id: "2308070001",
    service: "pictSPACE",
    kind: "sales_settlement",
    user_id: "U0088123",
    amount: "12300",
    method: "bank",
    requested_at: "2023-08-09T11:02:00+09:00",
    status: "requested",
    bank_code: "0009",
    branch_code: "123",
    account_type: "1",
    account_number: "1234567",
    account_holder: "ヤマダ タロウ",
    linepay_user_ref: "",
    ...overrides
  })

  it("keeps the request id as text, leading zeros and all", () => {
    expect(valueOf(payoutRequestsExport, request({ request_id: "0308070001" }))!.request_id).toBe("0308070001")
  })

  it("requires the bank columns for a bank request", () => {
    expect(reasonOf(payoutRequestsExport, request({ branch_code: "" }))).toContain("branch_code")
  })

  it("refuses bank columns on a LINE Pay request", () => {
    expect(reasonOf(payoutRequestsExport, request({ method: "linepay", linepay_user_ref: "LP8f3a9c21" })))
      .toContain("method が bank のときだけ")
  })

  it("accepts an amazon_gift request with neither bank nor LINE Pay columns", () => {
    const blank = { bank_code: "", branch_code: "", account_type: "", account_number: "", account_holder: "" }
    expect(valueOf(payoutRequestsExport, request({ method: "amazon_gift", ...blank }))).toBeDefined()
  })

  it("rejects an amount of zero", () => {
    expect(reasonOf(payoutRequestsExport, request({ amount: "0" }))).toContain("列「amount」")
  })
})

const encodingOf = (file: string) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(openExport(file), inspectFile)).pipe(Effect.map((facts) => facts.verdict)))

const rowsOf = (file: string, required: ReadonlyArray<string>) =>
  Effect.runPromise(
    Effect.gen(function*() {
      const opened = yield* openExport(file)
      const facts = yield* inspectFile(opened)
      if (facts.verdict._tag === "Rejected") return yield* Effect.fail(new Error(facts.verdict.reason))
      return Chunk.toReadonlyArray(yield* Stream.runCollect(csvLines(path.basename(file), opened, facts.verdict.encoding, { required })))
    }).pipe(Effect.scoped)
  )

describe("reading files", () => {
  const text = "受付番号,注文ID,備考\r\nIN-1,PS-00000001,\"二行の\r\n備考\"\r\n\r\nIN-2,ＰＳ－００００００２,ｶﾀｶﾅ\r\n"

  it("detects CP932 and UTF-8 (with BOM) and reads the same rows from both", async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "sjis.csv"), iconv.encode(text, "cp932"))
    fs.writeFileSync(path.join(dir, "utf8.csv"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))
    expect(await encodingOf(path.join(dir, "sjis.csv"))).toEqual({ _tag: "Decided", encoding: "cp932" })
    expect(await encodingOf(path.join(dir, "utf8.csv"))).toEqual({ _tag: "Decided", encoding: "utf-8" })
    const fromSjis = await rowsOf(path.join(dir, "sjis.csv"), ["受付番号", "注文ID"])
    const fromUtf8 = await rowsOf(path.join(dir, "utf8.csv"), ["受付番号", "注文ID"])
    expect(fromSjis).toEqual(fromUtf8)
    // The quoted field spans lines 2–3, the blank line 4 is skipped: IN-2 is on line 5.
    expect(fromUtf8.map((r) => r._tag === "Row" ? [r.line, r.cells.受付番号] : [r.line, r._tag])).toEqual([[2, "IN-1"], [4, "Blank"], [5, "IN-2"]])
  })

  it("never splits a character at a read-chunk boundary", async () => {
    const dir = tempDir()
    const line = "IN-1,アイウエオかきくけこ漢字ｶﾅ\n"
    const big = "受付番号,注文ID\n" + line.repeat(20_000)
    for (const [name, bytes] of [["a.csv", Buffer.from(big)], ["b.csv", iconv.encode(big, "cp932")]] as const) {
      fs.writeFileSync(path.join(dir, name), bytes)
      let decoded = ""
      await Effect.runPromise(Effect.scoped(Effect.flatMap(openExport(path.join(dir, name)), (opened) =>
        Effect.promise(async () => {
          for await (const chunk of decodedText(opened, name === "a.csv" ? "utf-8" : "cp932")) decoded += chunk
        }))))
      expect(decoded).toBe(big)
      expect(decoded.includes("\uFFFD")).toBe(false)
    }
  })

  it("rejects a file without a required column, naming it", async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "x.csv"), "受付番号,備考\nIN-1,\n")
    await expect(rowsOf(path.join(dir, "x.csv"), ["受付番号", "注文ID"])).rejects.toThrow(/注文ID/)
  })
})
