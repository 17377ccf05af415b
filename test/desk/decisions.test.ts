// Fixed cases: each parcel received at the desk gets the decision the shipping rules give,
// and the next nightly run (the real Run, on the same database) raises the findings that
// decision stands for.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { decideLine, findingsOfLine, type RaisedFinding } from "../../src/Desk/decision.ts"
import type { IntakeResult, OrderDecision } from "../../src/Desk/Desk.ts"
import { address, item, order } from "../shipping/inbox.ts"
import { type DeskTestDatabase, deskDatabase, intake, query } from "./support.ts"

const aozora = (id: string, status?: Parameters<typeof order>[3], method?: Parameters<typeof order>[4]) =>
  order(id, "S104233", "サークル青空", status, method)

let db: DeskTestDatabase
const received: Array<IntakeResult> = []

beforeAll(async () => {
  db = await deskDatabase({
    orders: [
      aozora("PS-00412345"),
      aozora("PS-00412417"),
      aozora("PS-00413001", "cancelled"),
      aozora("PS-00413002", "refunded"),
      aozora("PS-00413003", "awaiting_shipment", "yamato_anonymous"),
      aozora("PS-00413004", "shipped"),
      aozora("PS-00413005"),
      aozora("PS-00413006"),
      aozora("PS-00413007"),
      aozora("PS-00414561"),
      aozora("PS-00414560"),
      order("PS-00414596", "S200001", "サークル白波"),
      aozora("PS-00415001"),
      aozora("PS-00415002"),
      aozora("PS-00416001")
    ],
    items: [
      item("PS-00412345", "I1", "夏の新刊セット", 1),
      item("PS-00412345", "I2", "アクリルスタンド", 1),
      item("PS-00412417", "I1", "コピー本", 3),
      item("PS-00413001", "I1", "コピー本", 1),
      item("PS-00413002", "I1", "コピー本", 1),
      item("PS-00413003", "I1", "コピー本", 1),
      item("PS-00413004", "I1", "コピー本", 1),
      item("PS-00413005", "I1", "コピー本", 1),
      item("PS-00413006", "I1", "コピー本", 1),
      item("PS-00413007", "I1", "コピー本", 1),
      item("PS-00414561", "I1", "缶バッジ", 2),
      item("PS-00414560", "I1", "缶バッジ", 1),
      item("PS-00414596", "I1", "缶バッジ", 1),
      item("PS-00415001", "I1", "缶バッジ", 1),
      item("PS-00415002", "I1", "缶バッジ", 2),
      item("PS-00416001", "I1", "缶バッジ", 1)
    ],
    addresses: [address("PS-00412345", "山田 花子", "神南1-2-3"), address("PS-00412417", "鈴木 一郎", "宇田川町4-5")]
  })
})

afterAll(async () => {
  await db?.close()
})

const receive = async (...args: Parameters<typeof intake>) => {
  const result = await db.desk((desk) => desk.receive(intake(...args)))
  received.push(result)
  return result
}

const only = (result: IntakeResult): OrderDecision => {
  expect(result.decisions).toHaveLength(1)
  return result.decisions[0]!.decision
}

describe("the decision at the desk", () => {
  it("says 再発送へ for an order received in full, with its label", async () => {
    const decision = only(await receive("1111-0001", [["PS-00412345", 2]]))
    expect(decision).toMatchObject({
      _tag: "Reship",
      orderId: "PS-00412345",
      label: { postalCode: "150-0001", prefecture: "東京都", city: "渋谷区", addressLine: "神南1-2-3", recipientName: "山田 花子" }
    })
  })

  it("says 保留 with what is still to come for a short order, and shows no address", async () => {
    const decision = only(await receive("1111-0002", [["ｐｓ００４１２４１７", 1]]))
    expect(decision).toMatchObject({ _tag: "Hold", orderId: "PS-00412417", remaining: 2 })
    expect(JSON.stringify(decision)).not.toContain("鈴木")
  })

  it("says 返送 for a cancelled order and for a refunded one", async () => {
    expect(only(await receive("1111-0003", [["PS-00413001", 1]]))).toMatchObject({ _tag: "Return", reason: "キャンセル済み" })
    expect(only(await receive("1111-0004", [["PS-00413002", 1]]))).toMatchObject({ _tag: "Return", reason: "返金済み" })
  })

  it("says 確認 with the reason: method, already shipped, seller on the slip, over count", async () => {
    expect(only(await receive("1111-0005", [["PS-00413003", 1]]))).toMatchObject({ _tag: "Check", codes: ["SHIP_METHOD_NOT_ANONYMOUS"] })
    expect(only(await receive("1111-0006", [["PS-00413004", 1]]))).toMatchObject({ _tag: "Check", codes: ["SHIP_ALREADY_SHIPPED"] })
    expect(only(await receive("1111-0007", [["PS-00413005", 1]], { sellerId: "S999999" }))).toMatchObject({
      _tag: "Check",
      codes: ["SHIP_SELLER_MISMATCH"]
    })
    expect(only(await receive("1111-0008", [["PS-00413006", 3]]))).toMatchObject({ _tag: "Check", codes: ["SHIP_COUNT_OVER"] })
  })

  it("says 二重スキャン for the same slip and order scanned again, naming the first", async () => {
    const first = await receive("2222-0001-0001", [["PS-00413007", 1]])
    expect(only(first)._tag).toBe("Reship")
    const again = only(await receive("222200010001", [["PS-00413007", 1]]))
    expect(again).toMatchObject({ _tag: "DoubleScan", orderId: "PS-00413007", firstParcelId: first.parcelId })
  })

  it("says 見つかりません for an unknown id and lists every one-typo order, likely ones first, none picked", async () => {
    const result = await receive("3333-0001", [["ps-00414569", 2]])
    const decision = only(result)
    expect(decision._tag).toBe("NotFound")
    if (decision._tag !== "NotFound") return
    expect(decision.orderIdTyped).toBe("ps-00414569")
    expect(decision.candidates.map((c) => [c.orderId, c.sellerMatches, c.countMatches])).toEqual([
      ["PS-00414561", true, true],
      ["PS-00414560", true, false],
      ["PS-00414596", false, false]
    ])
    // The line is saved as typed, like an export line: the next run reports it too.
    expect(result.decisions[0]!.line).toMatchObject({ orderIdTyped: "ps-00414569", orderId: "PS-00414569", withdrawn: false })
  })

  it("decides each order of a parcel on its own", async () => {
    const result = await receive("4444-0001", [["PS-00415001", 1], ["PS-00415002", 1]])
    expect(result.decisions.map((d) => d.decision._tag)).toEqual(["Reship", "Hold"])
    expect(result.decisions[0]!.decision).toMatchObject({ label: null })
    expect(result.decisions.map((d) => d.line.parcelId)).toEqual([result.parcelId, result.parcelId])
  })

  it("is what the next nightly run finds for the same parcels", async () => {
    const findings = await db.nightly()
    const id = (n: number) => received[n]!.parcelId
    expect(findings.filter((f) => !f.startsWith("SHIP_AWAITING_PARCEL"))).toEqual([
      `SHIP_ALREADY_SHIPPED PS-00413004 ${id(5)}`,
      `SHIP_COUNT_OVER PS-00413006 ${id(7)}`,
      `SHIP_COUNT_SHORT PS-00412417 ${id(1)}`,
      `SHIP_COUNT_SHORT PS-00415002 ${id(11)}`,
      `SHIP_DUPLICATE_SCAN ${id(9)} PS-00413007`,
      `SHIP_METHOD_NOT_ANONYMOUS PS-00413003 ${id(4)}`,
      `SHIP_ORDER_CANCELLED PS-00413001 ${id(2)}`,
      `SHIP_ORDER_CANCELLED PS-00413002 ${id(3)}`,
      `SHIP_READY PS-00412345 ${id(0)}`,
      `SHIP_READY PS-00413007 ${id(8)}`,
      `SHIP_READY PS-00415001 ${id(11)}`,
      `SHIP_SELLER_MISMATCH ${id(6)} PS-00413005`,
      `SHIP_UNKNOWN_ORDER ${id(10)} ps-00414569`
    ].sort())
    // Line by line, the nightly findings give the decision the desk gave.
    const nightly = await query<RaisedFinding>(
      db.url,
      `SELECT code, subject_id, related_id, detail FROM findings
       WHERE closed_on IS NULL AND code LIKE 'SHIP\\_%'`
    )
    for (const result of received) {
      for (const { line, decision } of result.decisions) {
        const decided = { parcelId: line.parcelId, orderRef: line.orderId, orderRefTyped: line.orderIdTyped }
        const fromNightly = decideLine(decided, findingsOfLine(decided, nightly), undefined, undefined).decision
        expect([line.parcelId, fromNightly._tag, fromNightly._tag === "Check" ? fromNightly.codes : []])
          .toEqual([line.parcelId, decision._tag, decision._tag === "Check" ? decision.codes : []])
        // The sentence is the nightly's own detail.
        expect(fromNightly.message).toBe(decision.message)
      }
    }
  })

  it("refuses input that breaks the parcels export's rules, in one Japanese sentence", async () => {
    const refused = async (...args: Parameters<typeof intake>) => {
      const outcome = await db.attempt((desk) => desk.receive(intake(...args)))
      expect(outcome.ok).toBe(false)
      return outcome.ok ? undefined : outcome.error
    }
    expect(await refused("abc", [["PS-00416001", 1]])).toMatchObject({
      _tag: "IntakeRejected",
      field: "伝票番号",
      message: "伝票番号が正しくありません（数字とハイフン（例: 1234-5678-9012）、入力: 「abc」）。"
    })
    expect(await refused("5555-0001", [["PS-00416001", 1], ["PS-00416001", -1]])).toMatchObject({
      field: "点数",
      message: "2件目の注文の点数が正しくありません（0以上の整数、入力: 「-1」）。"
    })
    expect(await refused("5555-0001", [[" ", 1]])).toMatchObject({ field: "注文ID", message: "注文IDを入力してください。" })
    expect(await refused("5555-0001", [])).toMatchObject({ field: "注文ID" })
    expect(await refused("5555-0001", [["PS-00416001", 1], ["ps00416001", 2]])).toMatchObject({
      field: "注文ID",
      message: "注文 PS-00416001 が1つの荷物に2回入力されています（1件目と2件目）。点数をまとめて1行にしてください。"
    })
    expect(await refused("5555-0001", [["PS-00416001", 1]], { condition: "良い" as never })).toMatchObject({ field: "状態" })
    // Nothing of a refused parcel is stored.
    expect(await query(db.url, "SELECT 1 FROM parcel_lines WHERE order_ref = 'PS-00416001'")).toEqual([])
  })
})
