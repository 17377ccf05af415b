// Parcels whose order id matches no order: SHIP_UNKNOWN_ORDER, related to the id as
// typed, with the likely order in the detail when exactly one is one typo away.
import { describe, expect, it } from "vitest"
import { detailOf, item, order, parcel, runShipping } from "./inbox.ts"

const aozora = (id: string) => order(id, "S104233", "サークル青空")
const shirokuma = (id: string) => order(id, "S108822", "しろくま印刷部")

describe("SHIP_UNKNOWN_ORDER", () => {
  it("suggests the one order of the seller on the slip that is one digit away", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [parcel("IN-20230901-0006", "2023/09/01 14:45", "3381-7712-6630", "S104233", "PS-00412346", 2)]
    })
    expect(findings).toEqual([
      "SHIP_AWAITING_PARCEL PS-00412345 S104233",
      "SHIP_UNKNOWN_ORDER IN-20230901-0006 PS-00412346"
    ])
    expect(await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-20230901-0006")).toEqual([
      "受付 IN-20230901-0006 の注文ID「PS-00412346」に当たる注文はなく、頒布者 S104233 の注文 PS-00412345 の書き間違いと思われるため、伝票と中身で確かめて受付記録の注文IDを直してください"
    ])
  })

  it("suggests the order behind two swapped neighbours, searching every order when no seller is written", async () => {
    const { url } = await runShipping({
      orders: [order("PS-00414610", "S105102", "星屑ドロップス")],
      items: [item("PS-00414610", "I1", "コピー本", 2)],
      parcels: [parcel("IN-20230904-0005", "2023/09/04 13:00", "5521-0108-3390", "", "PS-00416410", 2)]
    })
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-20230904-0005")
    expect(detail).toContain("注文 PS-00414610 の書き間違いと思われる")
  })

  it("keeps the id as typed in related_id and reads the typed form for the suggestion", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "ｐｓ００４１２３４Ｓ", 2)]
    })
    expect(findings).toContain("SHIP_UNKNOWN_ORDER IN-1 ｐｓ００４１２３４Ｓ")
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-1")
    expect(detail).toContain("頒布者 S104233 の注文 PS-00412345 の書き間違い")
  })

  it("does not suggest another seller's order", async () => {
    const { url, findings } = await runShipping({
      orders: [shirokuma("PS-00417750")],
      items: [item("PS-00417750", "I1", "タペストリー B2", 1)],
      parcels: [parcel("IN-20230904-0008", "2023/09/04 15:10", "5521-0109-0044", "S107015", "PS-00417751", 1)]
    })
    expect(findings).toEqual([
      "SHIP_AWAITING_PARCEL PS-00417750 S108822",
      "SHIP_UNKNOWN_ORDER IN-20230904-0008 PS-00417751"
    ])
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-20230904-0008")
    expect(detail).toContain("候補も絞れない")
    expect(detail).not.toContain("PS-00417750")
  })

  it("does not suggest when two orders are one typo away", async () => {
    const { url } = await runShipping({
      orders: [aozora("PS-00412345"), aozora("PS-00412347")],
      items: [item("PS-00412345", "I1", "本", 1), item("PS-00412347", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412346", 1)]
    })
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-1")
    expect(detail).toContain("候補も絞れない")
  })

  it("suggests the seller's one order when another seller's order is just as close", async () => {
    const { url } = await runShipping({
      orders: [aozora("PS-00412345"), shirokuma("PS-00412347")],
      items: [item("PS-00412345", "I1", "本", 1), item("PS-00412347", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412346", 1)]
    })
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-1")
    expect(detail).toContain("頒布者 S104233 の注文 PS-00412345 の書き間違い")
  })

  it("does not suggest when nothing is one typo away", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "本", 1)],
      parcels: [parcel("IN-20230830-0004", "2023/08/30 16:45", "4410-2868-7712", "S104233", "PS-00399001", 1)]
    })
    expect(findings).toContain("SHIP_UNKNOWN_ORDER IN-20230830-0004 PS-00399001")
    const [detail] = await detailOf(url, "SHIP_UNKNOWN_ORDER", "IN-20230830-0004")
    expect(detail).toContain("頒布者 S104233 に問い合わせて")
  })

  it("counts a parcel of an unknown order for nothing else", async () => {
    // Same 伝票番号 twice for the unknown id: no double scan; each line is its own unknown.
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "本", 1)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 1),
        parcel("IN-2", "2023/09/04 10:00", "1111-0002", "S104233", "PS-0041234", 5),
        parcel("IN-3", "2023/09/04 11:00", "1111-0002", "S104233", "PS-0041234", 5)
      ]
    })
    expect(findings).toEqual([
      "SHIP_READY PS-00412345 IN-1",
      "SHIP_UNKNOWN_ORDER IN-2 PS-0041234",
      "SHIP_UNKNOWN_ORDER IN-3 PS-0041234"
    ])
  })

  it("finds no order behind an id that is not an order id at all", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "", "注文IDなし", 1)]
    })
    expect(findings).toEqual(["SHIP_AWAITING_PARCEL PS-00412345 S104233", "SHIP_UNKNOWN_ORDER IN-1 注文IDなし"])
  })
})
