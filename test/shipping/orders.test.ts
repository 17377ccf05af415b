// Which shipping findings an order with parcels gets: counts, readiness, the checks that
// stop an order, seller mismatch, double scans, and the look-alikes that must not be
// flagged. Each case runs the whole pipeline on its own database (as of Tue 2023-09-05)
// and asserts the full set of SHIP_ findings, written `CODE subject related`.
import { describe, expect, it } from "vitest"
import { detailOf, item, order, parcel, runShipping } from "./inbox.ts"

const aozora = (id: string, status?: Parameters<typeof order>[3], method?: Parameters<typeof order>[4]) =>
  order(id, "S104233", "サークル青空", status, method)

describe("an order received in full", () => {
  it("is ready to re-ship, related to its parcel", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 1), item("PS-00412345", "I2", "アクリルスタンド", 1)],
      parcels: [parcel("IN-20230904-0001", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 2)]
    })
    expect(findings).toEqual(["SHIP_READY PS-00412345 IN-20230904-0001"])
  })

  it.each([
    ["full-width", "ＰＳ－００４１２３４５"],
    ["lower case", "ps-00412345"],
    ["without its hyphen", "PS00412345"],
    ["with a long-vowel mark", "PSー00412345"],
    ["with a minus sign", "PS−00412345"],
    ["with spaces around it", "　PS-00412345 "]
  ])("is that order when its id is typed %s", async (_, typed) => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [parcel("IN-20230904-0001", "2023/09/04 10:00", "1111-0001", "S104233", typed, 2)]
    })
    expect(findings).toEqual(["SHIP_READY PS-00412345 IN-20230904-0001"])
  })

  it("is ready when split over two parcels that together hold it all, related to the later parcel", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 1), item("PS-00412345", "I2", "アクリルスタンド", 2)],
      parcels: [
        parcel("IN-20230904-0002", "2023/09/04 11:00", "1111-0002", "S104233", "PS-00412345", 2),
        parcel("IN-20230904-0001", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 1)
      ]
    })
    expect(findings).toEqual(["SHIP_READY PS-00412345 IN-20230904-0002"])
  })

  it("takes the 受付番号 to break a tie of 受付日時 for the latest parcel", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [
        parcel("IN-20230904-0007", "2023/09/04 10:00", "1111-0007", "S104233", "PS-00412345", 1),
        parcel("IN-20230904-0003", "2023/09/04 10:00", "1111-0003", "S104233", "PS-00412345", 1)
      ]
    })
    expect(findings).toEqual(["SHIP_READY PS-00412345 IN-20230904-0007"])
  })
})

describe("one parcel scanned twice", () => {
  it("is counted once: the later scan gets SHIP_DUPLICATE_SCAN and the order is ready on the first", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [
        parcel("IN-20230904-0009", "2023/09/04 15:00", "4012-3391-2045", "S104233", "PS-00412345", 2),
        parcel("IN-20230904-0001", "2023/09/04 10:00", "4012-3391-2045", "S104233", "ps00412345", 2)
      ]
    })
    expect(findings).toEqual([
      "SHIP_DUPLICATE_SCAN IN-20230904-0009 PS-00412345",
      "SHIP_READY PS-00412345 IN-20230904-0001"
    ])
  })

  it("reads the 伝票番号 by its digits: typed with and without hyphens it is one slip", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 2)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "4012-3391-2045", "S104233", "PS-00412345", 2),
        parcel("IN-2", "2023/09/04 15:00", "401233912045", "S104233", "PS-00412345", 2)
      ]
    })
    expect(findings).toEqual(["SHIP_DUPLICATE_SCAN IN-2 PS-00412345", "SHIP_READY PS-00412345 IN-1"])
  })

  it("flags every later scan when scanned three times", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 1)],
      parcels: [
        parcel("IN-3", "2023/09/04 12:00", "4012-0000-0001", "S104233", "PS-00412345", 1),
        parcel("IN-2", "2023/09/04 11:00", "4012-0000-0001", "S104233", "PS-00412345", 1),
        parcel("IN-1", "2023/09/04 10:00", "4012-0000-0001", "S104233", "PS-00412345", 1)
      ]
    })
    expect(findings).toEqual([
      "SHIP_DUPLICATE_SCAN IN-2 PS-00412345",
      "SHIP_DUPLICATE_SCAN IN-3 PS-00412345",
      "SHIP_READY PS-00412345 IN-1"
    ])
  })

  it("says so when the two scans disagree on the count, and counts the first", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 1)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "4012-0000-0001", "S104233", "PS-00412345", 1),
        parcel("IN-2", "2023/09/04 11:00", "4012-0000-0001", "S104233", "PS-00412345", 3)
      ]
    })
    expect(findings).toEqual(["SHIP_DUPLICATE_SCAN IN-2 PS-00412345", "SHIP_READY PS-00412345 IN-1"])
    const [detail] = await detailOf(url, "SHIP_DUPLICATE_SCAN", "IN-2")
    expect(detail).toBe(
      "受付 IN-2 は受付 IN-1 と伝票番号 4012-0000-0001・注文 PS-00412345 が同じで同じ荷物の二重受付と思われるため、点数は IN-1 の 1 点だけ数えました（この受付の 3 点とは食い違うので中身と受付記録を確かめ、重複なら取り消してください）"
    )
  })

  it("is not two orders in one box logged under two 受付番号 with one 伝票番号", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00416149"), aozora("PS-00416168")],
      items: [item("PS-00416149", "I1", "夏の新刊セット", 1), item("PS-00416168", "I1", "夏の新刊セット", 2)],
      parcels: [
        parcel("IN-20230904-0006", "2023/09/04 13:45", "4012-3402-7718", "S104233", "PS-00416149", 1),
        parcel("IN-20230904-0007", "2023/09/04 13:46", "4012-3402-7718", "", "PS-00416168", 2)
      ]
    })
    expect(findings).toEqual([
      "SHIP_READY PS-00416149 IN-20230904-0006",
      "SHIP_READY PS-00416168 IN-20230904-0007"
    ])
  })
})

describe("counts", () => {
  it("holds an order that is short: SHIP_COUNT_SHORT on the latest parcel, not ready", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412417")],
      items: [item("PS-00412417", "I1", "コピー本", 1), item("PS-00412417", "I2", "缶バッジ", 2)],
      parcels: [parcel("IN-20230830-0001", "2023/08/30 09:50", "4410-2866-0157", "S104233", "ps-00412417", 1)]
    })
    expect(findings).toEqual(["SHIP_COUNT_SHORT PS-00412417 IN-20230830-0001"])
    expect(await detailOf(url, "SHIP_COUNT_SHORT", "PS-00412417")).toEqual([
      "注文 PS-00412417 は受領 1 / 注文 3 点で足りないため、残りが届くまで発送せず保留してください（最後の受付 IN-20230830-0001）"
    ])
  })

  it("flags an order with too many items: SHIP_COUNT_OVER, not ready", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00415281")],
      items: [item("PS-00415281", "I1", "コピー本", 1), item("PS-00415281", "I2", "缶バッジ", 2)],
      parcels: [parcel("IN-20230901-0005", "2023/09/01 13:20", "5521-0094-1163", "S104233", "PS-00415281", 4)]
    })
    expect(findings).toEqual(["SHIP_COUNT_OVER PS-00415281 IN-20230901-0005"])
  })

  it("treats an order without item lines as ordering nothing: never ready, over when anything came", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 1)]
    })
    expect(findings).toEqual(["SHIP_COUNT_OVER PS-00412345 IN-1"])
    const [detail] = await detailOf(url, "SHIP_COUNT_OVER", "PS-00412345")
    expect(detail).toContain("注文明細がなく")
  })

  it("raises nothing for a parcel of 0 items for an order without item lines", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 0)]
    })
    expect(findings).toEqual([])
  })
})

describe("orders the office must not ship", () => {
  it("returns a parcel for a cancelled order, one finding per parcel and no count findings", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00413099", "cancelled")],
      items: [item("PS-00413099", "I1", "アクリルキーホルダー", 3)],
      parcels: [
        parcel("IN-1", "2023/08/31 15:30", "4012-3377-5520", "S104233", "PS-00413099", 1),
        parcel("IN-2", "2023/09/04 15:30", "4012-3377-5521", "S104233", "PS-00413099", 1)
      ]
    })
    expect(findings).toEqual(["SHIP_ORDER_CANCELLED PS-00413099 IN-1", "SHIP_ORDER_CANCELLED PS-00413099 IN-2"])
    expect((await detailOf(url, "SHIP_ORDER_CANCELLED", "PS-00413099")).sort()).toEqual([
      "注文 PS-00413099 はキャンセル済みのため発送せず、受付 IN-1 の荷物を頒布者 S104233（サークル青空）へ返送してください",
      "注文 PS-00413099 はキャンセル済みのため発送せず、受付 IN-2 の荷物を頒布者 S104233（サークル青空）へ返送してください"
    ])
  })

  it("treats a refunded order as cancelled, even when short", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00414560", "refunded")],
      items: [item("PS-00414560", "I1", "夏の新刊セット", 2)],
      parcels: [parcel("IN-20230830-0002", "2023/08/30 11:15", "4012-3365-0931", "S104233", "PS-00414560", 1)]
    })
    expect(findings).toEqual(["SHIP_ORDER_CANCELLED PS-00414560 IN-20230830-0002"])
  })

  it.each([["yamato_anonymous"], ["direct"]] as const)("cannot ship a %s order, even with too many items", async (method) => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00414587", "awaiting_shipment", method)],
      items: [item("PS-00414587", "I1", "夏の新刊セット", 1)],
      parcels: [parcel("IN-1", "2023/08/31 10:20", "3381-7688-2213", "S104233", "PS-00414587", 2)]
    })
    expect(findings).toEqual(["SHIP_METHOD_NOT_ANONYMOUS PS-00414587 IN-1"])
  })

  it("flags a parcel for an order already shipped", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00415266", "shipped")],
      items: [item("PS-00415266", "I1", "缶バッジ", 1)],
      parcels: [parcel("IN-20230830-0003", "2023/08/30 14:00", "3381-7671-4402", "S104233", "PS-00415266", 1)]
    })
    expect(findings).toEqual(["SHIP_ALREADY_SHIPPED PS-00415266 IN-20230830-0003"])
  })

  it("checks cancelled before method, and method before shipped", async () => {
    const { findings } = await runShipping({
      orders: [
        aozora("PS-00000001", "cancelled", "direct"),
        aozora("PS-00000002", "shipped", "yamato_anonymous"),
        aozora("PS-00000003", "refunded", "yamato_anonymous")
      ],
      items: [item("PS-00000001", "I1", "本", 1), item("PS-00000002", "I1", "本", 1), item("PS-00000003", "I1", "本", 1)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00000001", 1),
        parcel("IN-2", "2023/09/04 10:00", "1111-0002", "S104233", "PS-00000002", 1),
        parcel("IN-3", "2023/09/04 10:00", "1111-0003", "S104233", "PS-00000003", 1)
      ]
    })
    expect(findings).toEqual([
      "SHIP_METHOD_NOT_ANONYMOUS PS-00000002 IN-2",
      "SHIP_ORDER_CANCELLED PS-00000001 IN-1",
      "SHIP_ORDER_CANCELLED PS-00000003 IN-3"
    ])
  })
})

describe("the seller on the slip", () => {
  it("raises SHIP_SELLER_MISMATCH on the parcel and withholds SHIP_READY", async () => {
    const { url, findings } = await runShipping({
      orders: [order("PS-00416020", "S107015", "月見草書房"), order("PS-00415203", "S106340", "ねこまた堂")],
      items: [item("PS-00416020", "I1", "新刊「月見草」", 1)],
      parcels: [parcel("IN-20230831-0004", "2023/08/31 17:10", "3381-7690-5567", "S106340", "PS-00416020", 1)]
    })
    expect(findings).toEqual([
      "SHIP_AWAITING_PARCEL PS-00415203 S106340",
      "SHIP_SELLER_MISMATCH IN-20230831-0004 PS-00416020"
    ])
    expect(await detailOf(url, "SHIP_SELLER_MISMATCH", "IN-20230831-0004")).toEqual([
      "受付 IN-20230831-0004 の伝票の頒布者は S106340（ねこまた堂）で、注文 PS-00416020 の頒布者 S107015（月見草書房）と違うため、発送や返送の前に注文IDと差出人を確かめてください"
    ])
  })

  it("is checked per parcel: only the parcel with the other seller is flagged, and counts still apply", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 3)],
      parcels: [
        parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S104233", "PS-00412345", 1),
        parcel("IN-2", "2023/09/04 11:00", "1111-0002", "S999999", "PS-00412345", 1)
      ]
    })
    expect(findings).toEqual(["SHIP_COUNT_SHORT PS-00412345 IN-2", "SHIP_SELLER_MISMATCH IN-2 PS-00412345"])
  })

  it("is no mismatch when left blank", async () => {
    const { findings } = await runShipping({
      orders: [aozora("PS-00412345")],
      items: [item("PS-00412345", "I1", "夏の新刊セット", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "", "PS-00412345", 1)]
    })
    expect(findings).toEqual(["SHIP_READY PS-00412345 IN-1"])
  })

  it("is checked on a cancelled order too, and the return instruction says so", async () => {
    const { url, findings } = await runShipping({
      orders: [aozora("PS-00413099", "cancelled")],
      items: [item("PS-00413099", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S106340", "PS-00413099", 1)]
    })
    expect(findings).toEqual(["SHIP_ORDER_CANCELLED PS-00413099 IN-1", "SHIP_SELLER_MISMATCH IN-1 PS-00413099"])
    const [detail] = await detailOf(url, "SHIP_ORDER_CANCELLED", "PS-00413099")
    expect(detail).toContain("伝票の頒布者は S106340 で注文と違うため、返送先を確かめてください")
  })
})
