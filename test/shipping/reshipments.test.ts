// Reshipments (the office's outbound parcels) and the orders still awaiting a parcel.
// Full set of SHIP_ findings per case, as of Tue 2023-09-05.
import { describe, expect, it } from "vitest"
import { detailOf, item, order, parcel, reship, runShipping } from "./inbox.ts"

const nekomata = (id: string, status?: Parameters<typeof order>[3], method?: Parameters<typeof order>[4]) =>
  order(id, "S106340", "ねこまた堂", status, method)

describe("re-shipped", () => {
  it("once, after intake: SHIP_RESHIPPED only, related to the outbound tracking number", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00415299")],
      items: [item("PS-00415299", "I1", "缶バッジ", 2)],
      parcels: [parcel("IN-20230828-0002", "2023/08/28 10:40", "3381-7630-2287", "S106340", "ps-00415299", 2)],
      reshipments: [reship("PS-00415299", "552101039981", "2023-08-29T16:20:00+09:00", "IN-20230828-0002")]
    })
    expect(findings).toEqual(["SHIP_RESHIPPED PS-00415299 552101039981"])
  })

  it("on the day the parcel arrived, even keyed with an earlier time, is after intake", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00415299")],
      items: [item("PS-00415299", "I1", "缶バッジ", 1)],
      parcels: [parcel("IN-1", "2023/09/04 15:00", "3381-0000-0001", "S106340", "PS-00415299", 1)],
      reshipments: [reship("PS-00415299", "552100000001", "2023-09-04T00:00:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_RESHIPPED PS-00415299 552100000001"])
  })

  it("twice: SHIP_RESHIP_DUPLICATE on the later reshipment, and no SHIP_RESHIPPED", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00414593")],
      items: [item("PS-00414593", "I1", "ラバーストラップ", 1)],
      parcels: [parcel("IN-20230828-0001", "2023/08/28 10:05", "4410-2851-6628", "S106340", "PS-00414593", 1)],
      reshipments: [
        reship("PS-00414593", "489012345685", "2023-09-01T11:00:00+09:00"),
        reship("PS-00414593", "489012345612", "2023-08-30T15:00:00+09:00")
      ]
    })
    expect(findings).toEqual(["SHIP_RESHIP_DUPLICATE PS-00414593 489012345685"])
    expect(await detailOf(url, "SHIP_RESHIP_DUPLICATE", "PS-00414593")).toEqual([
      "注文 PS-00414593 は追跡番号 489012345612 に続いて 2023/09/01 に追跡番号 489012345685 でも再発送されているため、二重発送でないか確かめてください"
    ])
  })

  it("under one tracking number for two orders: SHIP_RESHIP_DUPLICATE on both", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00416055"), nekomata("PS-00416071")],
      items: [item("PS-00416055", "I1", "本", 1), item("PS-00416071", "I1", "本", 2)],
      parcels: [
        parcel("IN-20230829-0001", "2023/08/29 11:02", "4410-2859-3315", "S106340", "PS-00416055", 1),
        parcel("IN-20230829-0001", "2023/08/29 11:02", "4410-2859-3315", "S106340", "PS-00416071", 2)
      ],
      reshipments: [
        reship("PS-00416055", "489012345650", "2023-08-31T14:00:00+09:00"),
        reship("PS-00416071", "489012345650", "2023-08-31T14:00:00+09:00")
      ]
    })
    expect(findings).toEqual([
      "SHIP_RESHIP_DUPLICATE PS-00416055 489012345650",
      "SHIP_RESHIP_DUPLICATE PS-00416071 489012345650"
    ])
  })

  it("without any parcel: SHIP_RESHIP_WITHOUT_INTAKE, and not on the awaiting list", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00416102")],
      items: [item("PS-00416102", "I1", "本", 1)],
      reshipments: [reship("PS-00416102", "552101041127", "2023-09-01T16:00:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_RESHIP_WITHOUT_INTAKE PS-00416102 552101041127"])
  })

  it("before its first parcel arrived: SHIP_RESHIP_WITHOUT_INTAKE, and not ready", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00416102")],
      items: [item("PS-00416102", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S106340", "PS-00416102", 1)],
      reshipments: [reship("PS-00416102", "552101041127", "2023-09-01T16:00:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_RESHIP_WITHOUT_INTAKE PS-00416102 552101041127"])
    const [detail] = await detailOf(url, "SHIP_RESHIP_WITHOUT_INTAKE", "PS-00416102")
    expect(detail).toContain("最初の荷物の受付（2023/09/04）より前")
  })

  it("for an order id the orders export does not hold: SHIP_RESHIP_WITHOUT_INTAKE", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00416102")],
      items: [item("PS-00416102", "I1", "本", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S106340", "PS-00416102", 1)],
      reshipments: [reship("PS-00416109", "552101041127", "2023-09-04T16:00:00+09:00")]
    })
    expect(findings).toEqual([
      "SHIP_READY PS-00416102 IN-1",
      "SHIP_RESHIP_WITHOUT_INTAKE PS-00416109 552101041127"
    ])
    const [detail] = await detailOf(url, "SHIP_RESHIP_WITHOUT_INTAKE", "PS-00416109")
    expect(detail).toContain("注文データにない")
  })

  it("is 'already shipped' as findings.md defines it, even when the export marks our own reshipment shipped", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00415299", "shipped")],
      items: [item("PS-00415299", "I1", "缶バッジ", 2)],
      parcels: [parcel("IN-1", "2023/08/28 10:40", "3381-7630-2287", "S106340", "PS-00415299", 2)],
      reshipments: [reship("PS-00415299", "552101039981", "2023-08-29T16:20:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_ALREADY_SHIPPED PS-00415299 IN-1", "SHIP_RESHIPPED PS-00415299 552101039981"])
  })

  it("still gets its count finding when it went out short", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00415299")],
      items: [item("PS-00415299", "I1", "缶バッジ", 3)],
      parcels: [parcel("IN-1", "2023/08/28 10:40", "3381-7630-2287", "S106340", "PS-00415299", 2)],
      reshipments: [reship("PS-00415299", "552101039981", "2023-08-29T16:20:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_COUNT_SHORT PS-00415299 IN-1", "SHIP_RESHIPPED PS-00415299 552101039981"])
    const [detail] = await detailOf(url, "SHIP_COUNT_SHORT", "PS-00415299")
    expect(detail).toContain("再発送済みですが受領 2 / 注文 3 点")
  })

  it("says when a parcel arrived after the reshipment", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00415299")],
      items: [item("PS-00415299", "I1", "缶バッジ", 2)],
      parcels: [
        parcel("IN-1", "2023/08/28 10:40", "3381-0000-0001", "S106340", "PS-00415299", 1),
        parcel("IN-2", "2023/09/01 10:40", "3381-0000-0002", "S106340", "PS-00415299", 1)
      ],
      reshipments: [reship("PS-00415299", "552101039981", "2023-08-29T16:20:00+09:00")]
    })
    expect(findings).toEqual(["SHIP_RESHIPPED PS-00415299 552101039981"])
    const [detail] = await detailOf(url, "SHIP_RESHIPPED", "PS-00415299")
    expect(detail).toContain("その後に届いた受付 IN-2")
  })
})

describe("awaiting a parcel", () => {
  it("lists an awaiting_shipment pictspace_anonymous order with no parcel, related to its seller", async () => {
    const { url, findings } = await runShipping({
      orders: [nekomata("PS-00415305")],
      items: [item("PS-00415305", "I1", "缶バッジ", 3)]
    })
    expect(findings).toEqual(["SHIP_AWAITING_PARCEL PS-00415305 S106340"])
    expect(await detailOf(url, "SHIP_AWAITING_PARCEL", "PS-00415305")).toEqual([
      "注文 PS-00415305 は頒布者 S106340（ねこまた堂）からの荷物がまだ届いていません（注文 3 点）"
    ])
  })

  it("leaves out orders that need nothing: shipped, other methods, cancelled, refunded", async () => {
    const { findings } = await runShipping({
      orders: [
        nekomata("PS-00412402", "shipped"),
        nekomata("PS-00413148", "awaiting_shipment", "direct"),
        nekomata("PS-00414587", "awaiting_shipment", "yamato_anonymous"),
        nekomata("PS-00415312", "cancelled"),
        nekomata("PS-00415313", "refunded")
      ]
    })
    expect(findings).toEqual([])
  })

  it("keeps an order awaiting when its only parcel was typed with an unknown id", async () => {
    const { findings } = await runShipping({
      orders: [nekomata("PS-00415305")],
      items: [item("PS-00415305", "I1", "缶バッジ", 1)],
      parcels: [parcel("IN-1", "2023/09/04 10:00", "1111-0001", "S106340", "PS-00415350", 1)]
    })
    expect(findings).toEqual(["SHIP_AWAITING_PARCEL PS-00415305 S106340", "SHIP_UNKNOWN_ORDER IN-1 PS-00415350"])
  })
})
